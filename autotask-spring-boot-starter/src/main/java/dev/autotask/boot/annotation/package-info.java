/**
 * Finds task annotations on Spring beans, registers each method as a task, and wraps the
 * bean so that calling a {@code @DelayedTask} method enqueues the call.
 */
@NullMarked
package dev.autotask.boot.annotation;

import org.jspecify.annotations.NullMarked;
