package dev.autotask.internal.engine;

import java.time.Duration;

import dev.autotask.TaskContext;
import dev.autotask.internal.jdbc.TaskRow;
import dev.autotask.internal.jdbc.TaskRunTable;
import dev.autotask.internal.json.TaskJson;
import org.jspecify.annotations.Nullable;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@link TaskContext} of one claimed attempt.
 */
final class RunningTask implements TaskContext {

	private final TaskRow row;

	private final TaskRunTable table;

	private final String nodeId;

	private final TaskJson json;

	private final TransactionTemplate transactions;

	// Whether the task was told that a cancel was requested: if it then ends, it stopped
	// because it was asked to. Only the worker's thread reads and writes it.
	private boolean cancelSeen;

	RunningTask(TaskRow row, TaskRunTable table, String nodeId, TaskJson json, TransactionTemplate transactions) {
		this.row = row;
		this.table = table;
		this.nodeId = nodeId;
		this.json = json;
		this.transactions = transactions;
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
	public @Nullable String startedBy() {
		return this.row.startedBy();
	}

	@Override
	public void reportProgress(long done, long total) {
		this.table.reportProgress(this.row, this.nodeId, done, total);
	}

	@Override
	public boolean isCancellationRequested() {
		if (Thread.currentThread().isInterrupted()) {
			return true;
		}
		if (this.table.isCancelRequested(this.row.id())) {
			this.cancelSeen = true;
		}
		return this.cancelSeen;
	}

	/**
	 * Whether the task was told that a cancel was requested.
	 * @return whether the attempt ends {@code CANCELLED}
	 */
	boolean cancelSeen() {
		return this.cancelSeen;
	}

	@Override
	public RuntimeException snooze(Duration delay) {
		if (delay.isNegative()) {
			throw new IllegalArgumentException("Snooze delay must not be negative, got " + delay);
		}
		throw new Snooze(delay);
	}

	@Override
	public RuntimeException repeat(Object... args) {
		throw new Repeat((args != null) ? args : new Object[] { null });
	}

	@Override
	public <C> void iterate(Class<C> cursorType, C start, Chunk<C> chunk) throws Exception {
		Checkpoint saved = (this.row.checkpoint() != null) ? this.json.readResult(this.row.checkpoint(), Checkpoint.class)
				: null;
		if (saved != null && saved.done()) {
			// The last chunk committed, but the run ended before the task did: nothing is left.
			return;
		}
		if (isCancellationRequested()) {
			// Asked to stop between chunks (after a hand-back, say): not one more chunk.
			throw new Cancelled();
		}
		C cursor = (saved != null) ? this.json.readResult(saved.cursor(), cursorType) : start;
		C next;
		try {
			next = this.transactions.execute((status) -> {
				try {
					C after = chunk.next(cursor);
					String checkpoint = this.json.write(new Checkpoint((after != null) ? this.json.write(after) : null,
							after == null));
					if (!this.table.saveCheckpoint(this.row, this.nodeId, checkpoint)) {
						throw new IllegalStateException("Task " + this.row.id()
								+ " is no longer running on this node; its chunk is rolled back");
					}
					return after;
				}
				catch (RuntimeException ex) {
					throw ex;
				}
				catch (Exception ex) {
					throw new ChunkFailed(ex);
				}
			});
		}
		catch (ChunkFailed ex) {
			throw (Exception) ex.getCause();
		}
		if (next != null) {
			// One chunk per execution: the rest waits its turn behind other tasks. A cancel
			// requested meanwhile ends the task instead, in the snooze's own statement.
			throw snooze(Duration.ZERO);
		}
	}

	/**
	 * Where an iterative task stands: the cursor after the last committed chunk, as JSON, and
	 * whether that chunk was the last.
	 */
	record Checkpoint(@Nullable String cursor, boolean done) {

	}

	/**
	 * Carries a checked exception out of the chunk's transaction callback.
	 */
	private static final class ChunkFailed extends RuntimeException {

		ChunkFailed(Exception cause) {
			super(cause);
		}

	}

	/**
	 * Thrown by {@link #repeat(Object...)} to end the run; caught by the runner.
	 */
	static final class Repeat extends RuntimeException {

		private final transient Object[] args;

		Repeat(Object[] args) {
			super("repeated", null, false, false);
			this.args = args;
		}

		Object[] args() {
			return this.args;
		}

	}

	/**
	 * Thrown by {@link #iterate} when a cancel was requested before a chunk, to end the task
	 * {@code CANCELLED}; caught by the runner.
	 */
	static final class Cancelled extends RuntimeException {

		Cancelled() {
			super("cancelled", null, false, false);
		}

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
