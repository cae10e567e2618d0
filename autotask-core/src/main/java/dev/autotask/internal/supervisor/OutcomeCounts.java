package dev.autotask.internal.supervisor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import dev.autotask.internal.jdbc.QueueMinuteTable;

/**
 * The tasks this node ended for good since its last flush, per owner and queue, in memory: a
 * worker or the completer adds one with no more than a map look-up and an increment, and the
 * supervisor flushes them to {@code autotask_queue_minute} every heartbeat. Only final outcomes
 * are counted, success and failure; a retry is counted when its task ends.
 *
 * <p>
 * A {@link #drain() drain} resets each counter atomically ({@link LongAdder#sumThenReset()}
 * swaps each cell), so that an end counted meanwhile goes to this flush or the next, never to
 * both nor to neither. Counters are kept once made: there is one per owner and queue this node
 * ever ran, and dropping one could lose an end that a worker is adding to it.
 */
public final class OutcomeCounts {

	private final Map<Key, Counter> counters = new ConcurrentHashMap<>();

	/**
	 * Count a task that ended for good.
	 * @param owner its owner
	 * @param queue its queue
	 * @param succeeded whether it succeeded, rather than failed
	 */
	public void ended(String owner, String queue, boolean succeeded) {
		Key key = new Key(owner, queue);
		// A plain read first: computeIfAbsent may lock the map's bin even when the counter exists.
		Counter counter = this.counters.get(key);
		if (counter == null) {
			counter = this.counters.computeIfAbsent(key, (absent) -> new Counter());
		}
		(succeeded ? counter.succeeded : counter.failed).increment();
	}

	/**
	 * Take what was counted since the last drain, leaving zero.
	 * @return the counts, leaving out owners and queues where nothing ended
	 */
	List<QueueMinuteTable.Count> drain() {
		List<QueueMinuteTable.Count> counts = new ArrayList<>();
		this.counters.forEach((key, counter) -> {
			long succeeded = counter.succeeded.sumThenReset();
			long failed = counter.failed.sumThenReset();
			if (succeeded != 0 || failed != 0) {
				counts.add(new QueueMinuteTable.Count(key.owner(), key.queue(), succeeded, failed));
			}
		});
		return counts;
	}

	/**
	 * Put back counts that could not be flushed, for the next flush.
	 * @param counts what {@link #drain()} took
	 */
	void restore(List<QueueMinuteTable.Count> counts) {
		for (QueueMinuteTable.Count count : counts) {
			Counter counter = this.counters.computeIfAbsent(new Key(count.owner(), count.queue()),
					(key) -> new Counter());
			counter.succeeded.add(count.succeeded());
			counter.failed.add(count.failed());
		}
	}

	private record Key(String owner, String queue) {

	}

	private static final class Counter {

		final LongAdder succeeded = new LongAdder();

		final LongAdder failed = new LongAdder();

	}

}
