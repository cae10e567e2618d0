/**
 * Micrometer meters, a health indicator and the {@code autotask} actuator endpoint, each
 * configured only where the application has the library it adapts to.
 */
@NullMarked
package dev.autotask.boot.actuate;

import org.jspecify.annotations.NullMarked;
