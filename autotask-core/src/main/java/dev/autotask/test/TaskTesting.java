package dev.autotask.test;

import java.util.List;

import javax.sql.DataSource;

import dev.autotask.TaskInfo;
import dev.autotask.engine.EngineSettings;
import dev.autotask.engine.InlineRunner;
import dev.autotask.json.TaskJson;
import dev.autotask.task.TaskRegistry;

import org.springframework.jdbc.core.simple.JdbcClient;

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

	private final JdbcClient jdbc;

	private final String table;

	/**
	 * Create the test support.
	 * @param dataSource the database
	 * @param registry the application's tasks
	 * @param json the JSON codec
	 * @param settings the engine settings (schema, owner)
	 */
	public TaskTesting(DataSource dataSource, TaskRegistry registry, TaskJson json, EngineSettings settings) {
		this.runner = new InlineRunner(dataSource, registry, json, settings);
		this.jdbc = JdbcClient.create(dataSource);
		this.table = new dev.autotask.jdbc.TableNames(settings.schema()).task();
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
		return this.jdbc.sql("SELECT id, owner FROM " + this.table + " WHERE name = ? AND status = 'PENDING' ORDER BY id")
			.param(name)
			.query((rs, row) -> this.runner.status(rs.getLong(1), rs.getString(2)))
			.list();
	}

	/**
	 * Delete every task, so that the next test starts from an empty queue.
	 */
	public void clear() {
		this.jdbc.sql("DELETE FROM " + this.table).update();
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
