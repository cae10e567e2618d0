package dev.autotask.internal.supervisor;

import java.util.List;

import dev.autotask.internal.jdbc.QueueMinuteTable;

/**
 * Adds the tasks this node ended since its last flush to {@code autotask_queue_minute}, in one
 * statement, on every heartbeat and once more when the node stops. Counts whose statement fails
 * are put back for the next flush: a flush lost with the database is not lost, and one that
 * failed is not counted twice (unless the connection broke after the commit, which the node
 * cannot tell: then its counts show twice, in two minutes).
 */
final class CountFlusher {

	private final OutcomeCounts counts;

	private final QueueMinuteTable table;

	CountFlusher(OutcomeCounts counts, QueueMinuteTable table) {
		this.counts = counts;
		this.table = table;
	}

	/**
	 * Flush once.
	 * @return how many owners and queues had ends to add
	 */
	int runOnce() {
		List<QueueMinuteTable.Count> drained = this.counts.drain();
		if (drained.isEmpty()) {
			return 0;
		}
		try {
			this.table.addMany(drained);
		}
		catch (RuntimeException ex) {
			this.counts.restore(drained);
			throw ex;
		}
		return drained.size();
	}

}
