/**
 * Auto-configuration and {@code autotask.*} properties.
 */
@NullMarked
package dev.autotask.boot.autoconfigure;

import org.jspecify.annotations.NullMarked;
