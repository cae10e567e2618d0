/**
 * Support for testing an application's own tasks: run what is enqueued synchronously, and
 * assert on what was enqueued, in the manner of Oban's {@code Oban.Testing} and River's
 * {@code rivertest}.
 */
@NullMarked
package dev.autotask.test;

import org.jspecify.annotations.NullMarked;
