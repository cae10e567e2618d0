package dev.autotask.internal.supervisor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.autotask.internal.jdbc.QueueMinuteTable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link OutcomeCounts}: each end goes to exactly one drain, however drains and ends interleave,
 * and what is put back after a failed flush is drained again.
 */
class OutcomeCountsTests {

	private final OutcomeCounts counts = new OutcomeCounts();

	@Test
	void drainTakesEachOwnersAndQueuesCountsAndLeavesZero() {
		this.counts.ended("a", "mail", true);
		this.counts.ended("a", "mail", false);
		this.counts.ended("b", "mail", true);

		assertThat(this.counts.drain()).containsExactlyInAnyOrder(new QueueMinuteTable.Count("a", "mail", 1, 1),
				new QueueMinuteTable.Count("b", "mail", 1, 0));
		assertThat(this.counts.drain()).isEmpty();
	}

	@Test
	void restoredCountsAreAddedToThoseCountedSince() {
		this.counts.ended("a", "mail", true);
		List<QueueMinuteTable.Count> failedFlush = this.counts.drain();
		this.counts.ended("a", "mail", true);

		this.counts.restore(failedFlush);

		assertThat(this.counts.drain()).containsExactly(new QueueMinuteTable.Count("a", "mail", 2, 0));
	}

	@Test
	void endsCountedWhileDrainingAreNeitherLostNorCountedTwice() throws Exception {
		int threads = 4;
		int perThread = 100_000;
		ExecutorService workers = Executors.newFixedThreadPool(threads);
		CountDownLatch go = new CountDownLatch(1);
		List<Future<?>> done = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			done.add(workers.submit(() -> {
				go.await();
				for (int i = 0; i < perThread; i++) {
					this.counts.ended("a", "mail", i % 10 != 0);
				}
				return null;
			}));
		}
		long succeeded = 0;
		long failed = 0;
		go.countDown();
		while (!done.stream().allMatch(Future::isDone)) {
			for (QueueMinuteTable.Count count : this.counts.drain()) {
				succeeded += count.succeeded();
				failed += count.failed();
			}
		}
		for (QueueMinuteTable.Count count : this.counts.drain()) {
			succeeded += count.succeeded();
			failed += count.failed();
		}
		workers.shutdown();
		assertThat(workers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

		assertThat(succeeded).isEqualTo(threads * perThread * 9L / 10);
		assertThat(failed).isEqualTo(threads * perThread / 10L);
	}

}
