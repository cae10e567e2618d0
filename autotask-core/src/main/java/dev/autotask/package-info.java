/**
 * The autotask API: start tasks by name, follow them through a {@link dev.autotask.TaskHandle},
 * and look up their status. Everything an application calls lives in this package; the
 * sub-packages hold the engine and are not meant to be used directly.
 */
@NullMarked
package dev.autotask;

import org.jspecify.annotations.NullMarked;
