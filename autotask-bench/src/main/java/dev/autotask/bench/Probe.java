package dev.autotask.bench;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What the no-op tasks report: that they ran and, for the latency tasks, when they started.
 */
final class Probe {

	private volatile CountDownLatch remaining = new CountDownLatch(0);

	private volatile long[] startedAt = new long[0];

	void expect(int count) {
		this.startedAt = new long[count];
		this.remaining = new CountDownLatch(count);
	}

	/**
	 * Called by a no-op task.
	 */
	void ran() {
		this.remaining.countDown();
	}

	/**
	 * Called by a latency task as soon as it starts.
	 * @param index the task's index among the enqueued ones
	 */
	void started(int index) {
		this.startedAt[index] = System.nanoTime();
		this.remaining.countDown();
	}

	void await(Duration timeout) throws InterruptedException {
		if (!this.remaining.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new IllegalStateException(this.remaining.getCount() + " task(s) did not run within " + timeout);
		}
	}

	long[] startedAt() {
		return this.startedAt;
	}

}
