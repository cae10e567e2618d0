package dev.autotask.internal.supervisor;

import java.time.Duration;

import dev.autotask.internal.jdbc.QueueMinuteTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * While this node leads, records every minute how many due tasks wait in each busy queue of
 * each owner and how long the oldest has waited, in {@code autotask_queue_minute}, and deletes
 * the minutes older than a day and an hour. It samples every half minute (so that a timer
 * drifting against the database's minutes never leaves one out; the second sample of a minute
 * replaces the first) and at once when the node takes the lead. The leader alone samples, so that one statement a
 * minute reads the task table for the whole cluster; two leaders for a moment write the same
 * minute's row, the second sample replacing the first.
 */
final class QueueSampler {

	private static final Logger logger = LoggerFactory.getLogger(QueueSampler.class);

	private final QueueMinuteTable table;

	private final Duration interval;

	// When this node last sampled (System.nanoTime()), 0 before its first sample.
	private long lastSample;

	/**
	 * Create the sampler.
	 * @param table the table
	 * @param interval how long after a sample the next is due
	 */
	QueueSampler(QueueMinuteTable table, Duration interval) {
		this.table = table;
		this.interval = interval;
	}

	/**
	 * Sample if the last sample is an interval old, or there was none; a leader calls it
	 * often, so that it samples as soon as it leads.
	 */
	void runIfDue() {
		if (this.lastSample == 0 || System.nanoTime() - this.lastSample >= this.interval.toNanos()) {
			runOnce();
		}
	}

	/**
	 * Sample the queues and prune old minutes.
	 * @return how many queues were sampled
	 */
	int runOnce() {
		this.lastSample = System.nanoTime();
		int sampled = this.table.sample();
		int pruned = this.table.prune();
		if (pruned > 0) {
			logger.debug("Pruned {} queue minute(s) older than a day", pruned);
		}
		return sampled;
	}

}
