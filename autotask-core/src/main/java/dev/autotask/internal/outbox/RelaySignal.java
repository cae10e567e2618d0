package dev.autotask.internal.outbox;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the relay sleeps on: a signal (a task's end committed) or a stop ends an
 * {@link #await}, only a stop ends a {@link #pause}. Signals that arrive while the relay is busy
 * or pausing are remembered, not lost.
 */
final class RelaySignal {

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	private boolean pending;

	private boolean stopped;

	void signal() {
		this.lock.lock();
		try {
			this.pending = true;
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	void stop() {
		this.lock.lock();
		try {
			this.stopped = true;
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Wait for a signal or a stop, at most {@code timeout}.
	 */
	void await(Duration timeout) {
		sleep(timeout, true);
	}

	/**
	 * Wait for a stop, at most {@code timeout}; signals are kept for later.
	 */
	void pause(Duration timeout) {
		sleep(timeout, false);
	}

	private void sleep(Duration timeout, boolean wakeOnSignal) {
		this.lock.lock();
		try {
			long nanos = timeout.toNanos();
			while (nanos > 0 && !this.stopped && !(wakeOnSignal && this.pending)) {
				nanos = this.changed.awaitNanos(nanos);
			}
			if (wakeOnSignal) {
				this.pending = false;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.stopped = true;
		}
		finally {
			this.lock.unlock();
		}
	}

}
