package dev.autotask;

import java.time.Duration;
import java.util.Optional;

import dev.autotask.internal.engine.TaskContextHolder;
import org.jspecify.annotations.Nullable;

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
	 * The user the task was started as, such as the admin who started it from the admin page,
	 * or the service user it was started for.
	 * @return the user, or {@code null} if it was started without one
	 * @see SendOptions#startedBy(String)
	 */
	@Nullable String startedBy();

	/**
	 * Record how far the task has come, shown in its status.
	 * @param done items done
	 * @param total items in all, or {@code -1} if unknown
	 */
	void reportProgress(long done, long total);

	/**
	 * Whether someone asked to cancel this task; a task that checks it can stop early. Once this
	 * has said {@code true}, the attempt ends {@link TaskStatus#CANCELLED} however the task
	 * returns or throws (except with a {@link TaskFailure}), and is not retried.
	 * @return whether to stop
	 */
	boolean isCancellationRequested();

	/**
	 * End this run now and run the task again after {@code delay}, without spending an attempt.
	 * This method does not return: it throws an exception the engine catches, which task code
	 * must let through. If a cancel was requested for the task, it ends
	 * {@link TaskStatus#CANCELLED} instead of running again.
	 * @param delay how long to wait
	 * @return never
	 */
	RuntimeException snooze(Duration delay);

	/**
	 * End this run with success and enqueue the same task again with new arguments, as the next
	 * link of a chain that {@link Autotask#chain(long, String)} follows by the first task's id:
	 * the App Engine "repeat". The next task is enqueued in the same transaction that records this
	 * run's end. Like {@link #snooze(Duration)}, this method does not return. If a cancel was
	 * requested for this run (or any link of its chain), no next link is enqueued and this run
	 * ends {@link TaskStatus#CANCELLED}.
	 * @param args the next run's arguments
	 * @return never
	 */
	RuntimeException repeat(Object... args);

	/**
	 * Walk a large data set in chunks, each in a short execution of its own: the App Engine
	 * "iterative task". Each call runs one chunk in a transaction on the engine's
	 * {@code DataSource} and saves the cursor it returns with the task in that same
	 * transaction, so a chunk's writes (made through that {@code DataSource}, with
	 * {@code JdbcTemplate}, {@code JdbcClient} or a transaction-aware repository) and its cursor
	 * commit together. Then the task ends this execution and runs again for the next chunk,
	 * letting other tasks in between. After a crash, the walk resumes after the last committed
	 * chunk, never repeating one. Progress counts the chunks done. A cancel request is seen
	 * between chunks: the chunk running when it arrives commits, no chunk starts after it, and
	 * the task ends {@link TaskStatus#CANCELLED}. Like {@link #snooze(Duration)}, this method
	 * ends the run by throwing an exception the engine catches, which task code must let through.
	 *
	 * <pre class="code">
	 * &#64;DelayedTask(retries = 5)
	 * public void touchAll(TaskContext context) {
	 *     context.iterate(Long.class, 0L, (lastId) -&gt; {
	 *         List&lt;Long&gt; ids = jdbc.sql("SELECT id FROM item WHERE id &gt; ? ORDER BY id LIMIT 1000")...;
	 *         ...;                                                   // process them
	 *         return ids.isEmpty() ? null : ids.get(ids.size() - 1);  // null: done
	 *     });
	 * }
	 * </pre>
	 * @param <C> the cursor type, written as JSON
	 * @param cursorType the cursor's class
	 * @param start the cursor of the first chunk
	 * @param chunk processes the chunk after a cursor and returns the next cursor, or
	 * {@code null} when the walk is done
	 * @throws Exception what the chunk threw; the chunk is rolled back and the task retried
	 * from the last saved cursor
	 */
	<C> void iterate(Class<C> cursorType, C start, Chunk<C> chunk) throws Exception;

	/**
	 * One chunk of an iterative task.
	 *
	 * @param <C> the cursor type
	 * @see TaskContext#iterate(Class, Object, Chunk)
	 */
	@FunctionalInterface
	interface Chunk<C> {

		/**
		 * Process the items after {@code cursor}.
		 * @param cursor where the previous chunk ended
		 * @return the cursor after this chunk, or {@code null} when there is nothing left
		 * @throws Exception to roll the chunk back and fail the attempt
		 */
		@org.jspecify.annotations.Nullable C next(C cursor) throws Exception;

	}

	/**
	 * The context of the task running on this thread.
	 * @return the context, or empty outside a task
	 */
	static Optional<TaskContext> current() {
		return TaskContextHolder.current();
	}

}
