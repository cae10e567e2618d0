package dev.autotask.bench;

import java.time.Duration;

/**
 * One row of the soak's timeline: what happened in one interval, and the sizes at its end.
 *
 * @param end the interval's end, from the soak's start
 * @param length the interval's length
 * @param enqueued tasks the producer enqueued in it
 * @param ended tasks that ran in it
 * @param pruned tasks deleted in it ({@code n_tup_del} of {@code pg_stat_user_tables}: the pruner is
 * the only one that deletes)
 * @param backlog tasks enqueued but not yet run, at its end
 * @param producerBehind the most tasks the producer owed at the start of a tick in it
 * @param tableBytes {@code autotask_task}'s heap and TOAST ({@code pg_table_size})
 * @param indexBytes its indexes ({@code pg_indexes_size})
 * @param outboxBytes the outbox, all of it ({@code pg_total_relation_size})
 * @param liveTuples live rows of {@code autotask_task} ({@code pg_stat_user_tables})
 * @param deadTuples its dead rows
 * @param autovacuums autovacuum runs on it so far
 * @param walBytes the WAL the server wrote in the interval, all databases
 * @param checkpoints the checkpoints the server began in it, and of them
 * @param requestedCheckpoints those it began because the WAL since the last one neared
 * {@code max_wal_size}, not on {@code checkpoint_timeout}
 * @param heapMin the least JVM heap use seen in the interval, in bytes
 * @param heapAfterGc the JVM heap use right after a full collection at its end, in bytes
 * @param machineBusy the share of all cores busy in it, in percent
 * @param jvmCpu this JVM's CPU in it, in percent of one core
 * @param load the machine's one-minute load average
 */
record SoakRow(Duration end, Duration length, long enqueued, long ended, long pruned, long backlog, long producerBehind,
		long tableBytes, long indexBytes, long outboxBytes, long liveTuples, long deadTuples, long autovacuums,
		long walBytes, long checkpoints, long requestedCheckpoints, long heapMin, long heapAfterGc, double machineBusy,
		double jvmCpu, String load) {

	double throughput() {
		return this.ended / (this.length.toNanos() / 1e9);
	}

	double pruneRate() {
		return this.pruned / (this.length.toNanos() / 1e9);
	}

	double enqueueRate() {
		return this.enqueued / (this.length.toNanos() / 1e9);
	}

	double walRate() {
		return this.walBytes / (this.length.toNanos() / 1e9);
	}

	long sizeBytes() {
		return this.tableBytes + this.indexBytes;
	}

	double minutes() {
		return this.end.toNanos() / 60e9;
	}

}
