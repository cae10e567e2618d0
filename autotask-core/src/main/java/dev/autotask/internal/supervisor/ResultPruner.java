package dev.autotask.internal.supervisor;

import java.time.Duration;
import java.util.function.IntUnaryOperator;

import dev.autotask.internal.jdbc.TaskMaintenanceTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes ended tasks whose TTL has passed, except the last runs of each task, which the
 * history keeps however old. Works in batches, so that one run never holds locks on a large
 * part of the table, and in slices of a few batches, so that the leader can pace a long prune
 * ({@code PrunePacer}). Once no expired task is left, deletes the groups whose callback and
 * members are all gone, and the rates of concurrency keys whose next start has passed.
 */
public final class ResultPruner {

	private static final Logger logger = LoggerFactory.getLogger(ResultPruner.class);

	static final int BATCH = 1000;

	/** The batches of expired tasks in one slice: a third of a second under a steady load. */
	static final int SLICE = 10;

	private final TaskMaintenanceTable table;

	private final int historyPerTask;

	/**
	 * Create the pruner.
	 * @param table the task table
	 * @param historyPerTask the runs of each task kept past their TTL
	 */
	public ResultPruner(TaskMaintenanceTable table, int historyPerTask) {
		this.table = table;
		this.historyPerTask = historyPerTask;
	}

	/**
	 * Delete every expired task, slice after slice, then the groups and key rates nothing reads
	 * any more; on a thread that is interrupted, one batch of each.
	 * @return how many tasks were deleted
	 */
	public int runOnce() {
		int total = 0;
		Slice slice;
		do {
			slice = runSlice(Duration.ZERO);
			total += slice.tasks();
		}
		while (!slice.last() && !Thread.currentThread().isInterrupted());
		return total;
	}

	/**
	 * Delete up to {@link #SLICE} batches of the tasks that had expired when a prune started; if
	 * that leaves none, the groups and key rates nothing reads any more too.
	 * @param age how long ago the prune started: the tasks that expired since are left for the
	 * next, so that a long prune does not chase what expires while it runs
	 * @return how many tasks were deleted, and whether that was the last slice of this prune
	 */
	Slice runSlice(Duration age) {
		int tasks = inBatches((limit) -> this.table.pruneExpired(this.historyPerTask, limit, age), SLICE);
		if (tasks > 0) {
			logger.debug("Pruned {} task(s) past their TTL", tasks);
		}
		if (tasks == SLICE * BATCH) {
			return new Slice(tasks, false);
		}
		int groups = inBatches(this.table::pruneGroups, Integer.MAX_VALUE);
		if (groups > 0) {
			logger.debug("Pruned {} group(s) whose callback and members are gone", groups);
		}
		int rates = this.table.pruneKeyRates();
		if (rates > 0) {
			logger.debug("Pruned {} concurrency key rate(s) that hold nothing back", rates);
		}
		return new Slice(tasks, true);
	}

	// Batch after batch until one is short, the most have run, or the node stops (its maintenance
	// thread is interrupted): a prune of a million rows takes half a minute, and the rest waits for
	// the next prune rather than hold the stop up, or fail on a pool already closed.
	private static int inBatches(IntUnaryOperator batch, int most) {
		int total = 0;
		int deleted;
		int batches = 0;
		do {
			deleted = batch.applyAsInt(BATCH);
			total += deleted;
			batches++;
		}
		while (deleted == BATCH && batches < most && !Thread.currentThread().isInterrupted());
		return total;
	}

	/**
	 * What one slice of a prune did.
	 *
	 * @param tasks the expired tasks it deleted
	 * @param last whether it found no more of them, and pruned the groups and key rates
	 */
	record Slice(int tasks, boolean last) {

	}

}
