package dev.autotask.internal.engine;

import java.util.List;

import javax.sql.DataSource;

import dev.autotask.TaskInfo;
import dev.autotask.engine.EngineSettings;
import dev.autotask.engine.TaskObserver;
import dev.autotask.internal.jdbc.TableNames;
import dev.autotask.internal.jdbc.TaskRow;
import dev.autotask.internal.jdbc.TaskClaimTable;
import dev.autotask.internal.jdbc.TaskOutcomeTable;
import dev.autotask.internal.jdbc.TaskRunTable;
import dev.autotask.internal.jdbc.TaskTestingTable;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.retry.ExponentialBackoff;
import dev.autotask.task.TaskRegistry;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Claims and runs tasks on the calling thread, for {@code dev.autotask.test.TaskTesting}: the same claim and
 * the same runner as the engine, with no threads of its own.
 */
public final class InlineRunner {

	private static final int MAX_RUNS = 100_000;

	private final TaskClaimTable table;

	private final TaskRegistry registry;

	private final TaskRunner runner;

	private final TaskClient client;

	private final TaskTestingTable testing;

	private final String nodeId;

	/**
	 * Create the runner.
	 * @param dataSource the database
	 * @param registry the tasks
	 * @param json the JSON codec
	 * @param settings the schema and owner
	 */
	public InlineRunner(DataSource dataSource, TaskRegistry registry, TaskJson json, EngineSettings settings) {
		TableNames names = new TableNames(settings.schema());
		this.table = new TaskClaimTable(dataSource, names, settings.events());
		this.registry = registry;
		this.nodeId = "inline-" + settings.nodeId();
		TaskRunTable runs = new TaskRunTable(dataSource, names, settings.events());
		TaskOutcomeTable outcomes = new TaskOutcomeTable(dataSource, names, settings.events());
		// No back-off: in a drain, a retry is due at once.
		this.runner = new TaskRunner(runs, registry, json, new ExponentialBackoff(java.time.Duration.ZERO,
				java.time.Duration.ZERO), this.nodeId, java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
						(runnable) -> {
							Thread thread = new Thread(runnable, "autotask-inline-watchdog");
							thread.setDaemon(true);
							return thread;
						}),
				() -> false, new TransactionTemplate(new DataSourceTransactionManager(dataSource)), TaskObserver.NONE,
				Completer.onCallerThread(outcomes, this.nodeId, json, TaskObserver.NONE),
				new TaskObservations(io.micrometer.observation.ObservationRegistry.NOOP, json));
		this.client = new TaskClient(dataSource, registry, json, settings);
		this.testing = new TaskTestingTable(dataSource, names);
	}

	/**
	 * Run pending tasks until none is due.
	 * @param withScheduled whether delayed tasks count as due
	 * @return how the runs ended
	 */
	public Counts drain(boolean withScheduled) {
		int succeeded = 0;
		int failed = 0;
		int retried = 0;
		for (int runs = 0; runs < MAX_RUNS; runs++) {
			if (withScheduled) {
				this.testing.makeAllDue();
			}
			List<TaskRow> rows = this.table.claim(this.nodeId, this.registry.names(), 1);
			if (rows.isEmpty()) {
				return new Counts(succeeded, failed, retried);
			}
			TaskRow row = rows.get(0);
			this.runner.run(row);
			switch (this.testing.findStatus(row.id())) {
				case "SUCCESS" -> succeeded++;
				case "FAILURE" -> failed++;
				case "PENDING" -> retried++;
				default -> {
				}
			}
		}
		throw new IllegalStateException("Drained " + MAX_RUNS + " runs and tasks are still due: a task that "
				+ "re-enqueues or snoozes itself for ever?");
	}

	/**
	 * How the runs of a drain ended.
	 *
	 * @param succeeded runs that ended in SUCCESS
	 * @param failed runs that ended in FAILURE
	 * @param retried runs that left the task PENDING (a failed attempt to retry, or a snooze)
	 */
	public record Counts(int succeeded, int failed, int retried) {

	}

	/**
	 * The pending tasks of one name, oldest first, for any owner.
	 * @param name the task's name
	 * @return the tasks
	 */
	public List<TaskInfo> enqueued(String name) {
		return this.testing.findPending(name)
			.stream()
			.map((pending) -> this.client.status(pending.id(), pending.owner()).orElseThrow())
			.toList();
	}

	/**
	 * Delete every task.
	 */
	public void clear() {
		this.testing.deleteAll();
	}

}
