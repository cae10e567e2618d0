package dev.autotask.engine;

import java.time.Duration;

import dev.autotask.TaskContext;
import dev.autotask.jdbc.TaskRow;
import dev.autotask.jdbc.TaskTable;

/**
 * The {@link TaskContext} of one claimed attempt.
 */
final class RunningTask implements TaskContext {

	private final TaskRow row;

	private final TaskTable table;

	private final String nodeId;

	RunningTask(TaskRow row, TaskTable table, String nodeId) {
		this.row = row;
		this.table = table;
		this.nodeId = nodeId;
	}

	@Override
	public long id() {
		return this.row.id();
	}

	@Override
	public String name() {
		return this.row.name();
	}

	@Override
	public int attempt() {
		return this.row.attempt();
	}

	@Override
	public String owner() {
		return this.row.owner();
	}

	@Override
	public void reportProgress(long done, long total) {
		this.table.reportProgress(this.row, this.nodeId, done, total);
	}

	@Override
	public boolean isCancellationRequested() {
		return Thread.currentThread().isInterrupted() || this.table.isCancelRequested(this.row.id());
	}

	@Override
	public RuntimeException snooze(Duration delay) {
		if (delay.isNegative()) {
			throw new IllegalArgumentException("Snooze delay must not be negative, got " + delay);
		}
		throw new Snooze(delay);
	}

	/**
	 * Thrown by {@link #snooze(Duration)} to end the run; caught by the runner.
	 */
	static final class Snooze extends RuntimeException {

		private final Duration delay;

		Snooze(Duration delay) {
			super("snoozed for " + delay, null, false, false);
			this.delay = delay;
		}

		Duration delay() {
			return this.delay;
		}

	}

}
