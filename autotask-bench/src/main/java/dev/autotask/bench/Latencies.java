package dev.autotask.bench;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Enqueue-to-start times of one latency run, in nanoseconds: from just before the enqueue call
 * (what a caller sees) and from just after it returned, once the enqueue had committed.
 *
 * @param fromCall start minus the time before the enqueue call, per task
 * @param fromCommit start minus the time the enqueue call returned, per task
 */
record Latencies(long[] fromCall, long[] fromCommit) {

	/**
	 * Enqueue {@code count} tasks at a fixed rate and wait for all of them to start.
	 * @param count how many
	 * @param gap the time between two enqueues
	 * @param probe where the tasks record their start
	 * @param enqueue enqueues the task of the given index, from another connection than the engine's
	 * @return the times
	 * @throws InterruptedException if interrupted while waiting
	 */
	static Latencies measure(int count, Duration gap, Probe probe, IntConsumer enqueue) throws InterruptedException {
		probe.expect(count);
		long[] called = new long[count];
		long[] returned = new long[count];
		long first = System.nanoTime();
		for (int i = 0; i < count; i++) {
			// Fixed rate, not fixed delay: a slow enqueue does not push the next ones back.
			long due = first + i * gap.toNanos();
			long wait = due - System.nanoTime();
			if (wait > 0) {
				LockSupport.parkNanos(wait);
			}
			called[i] = System.nanoTime();
			enqueue.accept(i);
			returned[i] = System.nanoTime();
		}
		probe.await(Subject.TIMEOUT);
		long[] started = probe.startedAt();
		long[] fromCall = new long[count];
		long[] fromCommit = new long[count];
		for (int i = 0; i < count; i++) {
			fromCall[i] = started[i] - called[i];
			fromCommit[i] = started[i] - returned[i];
		}
		return new Latencies(fromCall, fromCommit);
	}

}
