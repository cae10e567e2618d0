package dev.autotask;

import org.jspecify.annotations.Nullable;

/**
 * A task that was started, as its caller sees it: its id, its status when last read, and, once
 * it has ended, its result or error.
 *
 * <p>
 * A {@link dev.autotask.annotation.DelayedTask @DelayedTask} method declared to return
 * {@code TaskHandle<R>} hands one to its caller at once, and returns
 * {@link #completed(Object) TaskHandle.completed(value)} from its body when it runs, in the
 * manner of {@code @Async} and {@code CompletableFuture.completedFuture}.
 *
 * @param <R> the type of the task's result
 * @see Autotask#send(String, String, Object...)
 */
public interface TaskHandle<R> {

	/**
	 * The task's id, stable for its whole life.
	 * @return the id
	 */
	long id();

	/**
	 * The status when this handle was last refreshed.
	 * @return the status
	 */
	TaskStatus status();

	/**
	 * Whether the task had ended when this handle was last refreshed.
	 * @return {@code true} once the status is SUCCESS, FAILURE or CANCELLED
	 */
	default boolean isReady() {
		return status().isCompleted();
	}

	/**
	 * The result of a task that ended in SUCCESS.
	 * @return the result read back from JSON, or {@code null} while the task has not succeeded
	 * (or when it returned nothing)
	 */
	@Nullable R result();

	/**
	 * The error of the last failed attempt.
	 * @return the error, or {@code null} if no attempt has failed
	 */
	@Nullable TaskError error();

	/**
	 * Read the task's current state from the database.
	 * @return this handle, brought up to date
	 * @throws IllegalStateException if the task no longer exists (its result outlived its TTL)
	 */
	TaskHandle<R> refresh();

	/**
	 * The value a task method returns from its body; the caller's handle then reports it as the
	 * result.
	 * @param <R> the result type
	 * @param value the result, written as JSON
	 * @return a handle that carries the value
	 */
	static <R> TaskHandle<R> completed(@Nullable R value) {
		return new CompletedHandle<>(value);
	}

}
