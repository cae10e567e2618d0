/**
 * Maintenance services that keep the task table healthy. Each has {@code runOnce()}, so that
 * tests drive them step by step instead of waiting on timers.
 */
@NullMarked
package dev.autotask.supervisor;

import org.jspecify.annotations.NullMarked;
