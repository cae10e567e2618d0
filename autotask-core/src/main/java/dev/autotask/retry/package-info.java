/**
 * When a failed attempt is tried again.
 */
@NullMarked
package dev.autotask.retry;

import org.jspecify.annotations.NullMarked;
