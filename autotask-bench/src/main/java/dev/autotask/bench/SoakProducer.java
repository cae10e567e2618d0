package dev.autotask.bench;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import dev.autotask.Autotask;
import dev.autotask.SendOptions;
import org.jspecify.annotations.Nullable;

/**
 * Enqueues at a steady rate from one thread: every {@link #TICK} one {@code sendAll} of the tasks
 * due by then, so that the rate holds whatever one call costs. A late tick sends what it owes,
 * in batches of at most {@link #MAX_BATCH}, so the rate is kept on average and how far the
 * producer fell behind shows in {@link #behind()}.
 */
final class SoakProducer implements AutoCloseable {

	static final Duration TICK = Duration.ofMillis(50);

	static final int MAX_BATCH = 1000;

	private final Autotask client;

	private final String task;

	private final String owner;

	private final double rate;

	private final AtomicLong sent = new AtomicLong();

	private final AtomicLong behind = new AtomicLong();

	private final AtomicReference<@Nullable RuntimeException> failure = new AtomicReference<>();

	private final Thread thread;

	private volatile boolean running = true;

	/**
	 * Start enqueuing.
	 * @param client the client
	 * @param task the task to send
	 * @param owner the tasks' owner
	 * @param rate tasks per second
	 */
	SoakProducer(Autotask client, String task, String owner, double rate) {
		this.client = client;
		this.task = task;
		this.owner = owner;
		this.rate = rate;
		this.thread = new Thread(this::produce, "soak-producer");
		this.thread.start();
	}

	private void produce() {
		long start = System.nanoTime();
		long tick = TICK.toNanos();
		long next = start;
		try {
			while (this.running) {
				long due = (long) (this.rate * (System.nanoTime() - start) / 1e9);
				long owed = due - this.sent.get();
				this.behind.accumulateAndGet(owed, Math::max);
				while (owed > 0 && this.running) {
					int size = (int) Math.min(owed, MAX_BATCH);
					this.client.sendAll(this.task, SendOptions.owner(this.owner),
							Collections.nCopies(size, new Object[0]));
					this.sent.addAndGet(size);
					owed -= size;
				}
				next += tick;
				long wait = next - System.nanoTime();
				if (wait > 0) {
					LockSupport.parkNanos(wait);
				}
				else {
					next = System.nanoTime();
				}
			}
		}
		catch (RuntimeException ex) {
			this.failure.set(ex);
		}
	}

	/**
	 * Tasks sent so far.
	 * @return the count
	 */
	long sent() {
		return this.sent.get();
	}

	/**
	 * The most tasks that were due but not yet sent at the start of a tick, since the last call.
	 * @return the count; one tick's worth is normal
	 */
	long behind() {
		return this.behind.getAndSet(0);
	}

	/**
	 * Why the producer stopped early, if it did.
	 * @return the failure, or {@code null}
	 */
	@Nullable RuntimeException failure() {
		return this.failure.get();
	}

	@Override
	public void close() throws InterruptedException {
		this.running = false;
		this.thread.join();
	}

}
