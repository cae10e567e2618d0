package dev.autotask.test;

import java.util.List;

import javax.sql.DataSource;

import dev.autotask.TaskInfo;
import dev.autotask.engine.EngineSettings;
import dev.autotask.internal.engine.InlineRunner;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.task.TaskRegistry;

/**
 * Runs an application's enqueued tasks synchronously in a test, and tells what was enqueued.
 * Use it with the engine switched off ({@code autotask.enabled=false}), so that nothing else
 * claims the tasks:
 *
 * <pre class="code">
 * reports.rebuild(42L);
 * assertThat(testing.enqueued("reports.rebuild")).hasSize(1);
 * assertThat(testing.drain().succeeded()).isEqualTo(1);
 * </pre>
 */
public final class TaskTesting {

	private final InlineRunner runner;

	/**
	 * Create the test support.
	 * @param dataSource the database
	 * @param registry the application's tasks
	 * @param settings the engine settings (schema, owner)
	 */
	public TaskTesting(DataSource dataSource, TaskRegistry registry, EngineSettings settings) {
		this.runner = new InlineRunner(dataSource, registry, new TaskJson(), settings);
	}

	/**
	 * Run every due pending task on this thread, and the tasks they enqueue, until none is due.
	 * Retries are due at once, so a task that keeps failing ends as FAILURE.
	 * @return how the runs ended
	 */
	public Drained drain() {
		return drain(false);
	}

	/**
	 * Run every pending task on this thread, delayed ones too, until none is left.
	 * @param withScheduled whether to run delayed tasks and retries now rather than at their time
	 * @return how the runs ended
	 */
	public Drained drain(boolean withScheduled) {
		InlineRunner.Counts counts = this.runner.drain(withScheduled);
		return new Drained(counts.succeeded(), counts.failed(), counts.retried());
	}

	/**
	 * The pending tasks of one name, oldest first.
	 * @param name the task's name
	 * @return the tasks
	 */
	public List<TaskInfo> enqueued(String name) {
		return this.runner.enqueued(name);
	}

	/**
	 * Delete every task, so that the next test starts from an empty queue.
	 */
	public void clear() {
		this.runner.clear();
	}

	/**
	 * How a drain ended.
	 *
	 * @param succeeded runs that ended in SUCCESS
	 * @param failed runs that ended in FAILURE
	 * @param retried runs that left their task pending: failed attempts retried, or snoozes
	 */
	public record Drained(int succeeded, int failed, int retried) {

		/**
		 * Tasks run in all.
		 * @return the count
		 */
		public int total() {
			return this.succeeded + this.failed;
		}

	}

}
