/**
 * The tasks a node knows how to run: their definitions, the registry the engine looks them up
 * in, and the seam through which the engine invokes them. This is the boundary between the
 * engine and the Spring Boot starter, which fills the registry from annotated bean methods.
 */
@NullMarked
package dev.autotask.task;

import org.jspecify.annotations.NullMarked;
