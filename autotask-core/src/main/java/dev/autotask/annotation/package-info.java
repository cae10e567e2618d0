/**
 * The annotations that declare tasks on Spring bean methods. They are plain Java: the starter
 * reads them and registers each method with the engine.
 */
@NullMarked
package dev.autotask.annotation;

import org.jspecify.annotations.NullMarked;
