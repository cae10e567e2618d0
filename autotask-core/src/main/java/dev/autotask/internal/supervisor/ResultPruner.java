package dev.autotask.internal.supervisor;

import dev.autotask.internal.jdbc.TaskMaintenanceTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes ended tasks whose TTL has passed, except the last runs of each task, which the
 * history keeps however old. Works in batches, so that one run never holds locks on a large
 * part of the table. Then deletes the rates of concurrency keys whose next start has passed.
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
	 * Delete every expired task.
	 * @return how many were deleted
	 */
	public int runOnce() {
		int total = 0;
		int deleted;
		do {
			deleted = this.table.pruneExpired(this.historyPerTask, BATCH);
			total += deleted;
		}
		while (deleted == BATCH);
		if (total > 0) {
			logger.debug("Pruned {} task(s) past their TTL", total);
		}
		int rates = this.table.pruneKeyRates();
		if (rates > 0) {
			logger.debug("Pruned {} concurrency key rate(s) that hold nothing back", rates);
		}
		return total;
	}

}
