package dev.autotask;

import java.time.Duration;
import java.util.Optional;

/**
 * What a running task knows about itself, and what it can tell the engine. A task method gets
 * it by declaring a parameter of this type (the caller passes {@code null} there; it is not
 * stored with the arguments), or from {@link #current()} anywhere on the worker thread.
 *
 * <pre class="code">
 * &#64;DelayedTask
 * public void reindex(long catalogId, TaskContext context) {
 *     for (...) {
 *         if (context.isCancellationRequested()) { return; }
 *         context.reportProgress(done, total);
 *     }
 * }
 * </pre>
 */
public interface TaskContext {

	/**
	 * The task's id.
	 * @return the id
	 */
	long id();

	/**
	 * The task's name.
	 * @return the name
	 */
	String name();

	/**
	 * This attempt, counting from 1.
	 * @return the attempt
	 */
	int attempt();

	/**
	 * The owner that started the task.
	 * @return the owner
	 */
	String owner();

	/**
	 * Record how far the task has come, shown in its status.
	 * @param done items done
	 * @param total items in all, or {@code -1} if unknown
	 */
	void reportProgress(long done, long total);

	/**
	 * Whether someone asked to cancel this task; a task that checks it can stop early.
	 * @return whether to stop
	 */
	boolean isCancellationRequested();

	/**
	 * End this run now and run the task again after {@code delay}, without spending an attempt.
	 * This method does not return: it throws an exception the engine catches, which task code
	 * must let through.
	 * @param delay how long to wait
	 * @return never
	 */
	RuntimeException snooze(Duration delay);

	/**
	 * The context of the task running on this thread.
	 * @return the context, or empty outside a task
	 */
	static Optional<TaskContext> current() {
		return TaskContextHolder.current();
	}

}
