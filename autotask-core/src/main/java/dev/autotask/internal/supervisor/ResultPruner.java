package dev.autotask.internal.supervisor;

import java.util.function.IntUnaryOperator;

import dev.autotask.internal.jdbc.TaskMaintenanceTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes ended tasks whose TTL has passed, except the last runs of each task, which the
 * history keeps however old. Works in batches, so that one run never holds locks on a large
 * part of the table. Then deletes the groups whose callback and members are all gone, and the
 * rates of concurrency keys whose next start has passed.
 */
public final class ResultPruner {

	private static final Logger logger = LoggerFactory.getLogger(ResultPruner.class);

	static final int BATCH = 1000;

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
	 * Delete every expired task, then the groups and key rates nothing reads any more; on a
	 * thread that is interrupted, one batch of each.
	 * @return how many tasks were deleted
	 */
	public int runOnce() {
		int total = inBatches((limit) -> this.table.pruneExpired(this.historyPerTask, limit));
		if (total > 0) {
			logger.debug("Pruned {} task(s) past their TTL", total);
		}
		int groups = inBatches(this.table::pruneGroups);
		if (groups > 0) {
			logger.debug("Pruned {} group(s) whose callback and members are gone", groups);
		}
		int rates = this.table.pruneKeyRates();
		if (rates > 0) {
			logger.debug("Pruned {} concurrency key rate(s) that hold nothing back", rates);
		}
		return total;
	}

	// Batch after batch until one is short, or until the node stops (its maintenance thread is
	// interrupted): a prune of a million rows takes half a minute, and the rest waits for the
	// next prune rather than hold the stop up, or fail on a pool already closed.
	private static int inBatches(IntUnaryOperator batch) {
		int total = 0;
		int deleted;
		do {
			deleted = batch.applyAsInt(BATCH);
			total += deleted;
		}
		while (deleted == BATCH && !Thread.currentThread().isInterrupted());
		return total;
	}

}
