package dev.autotask.internal.engine;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A signal the dispatcher sleeps on: a notification, a freed worker slot or a stop wakes it
 * before its timeout. Signals that arrive while it is busy are remembered, not lost.
 */
final class Wakeup {

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition signalled = this.lock.newCondition();

	private boolean pending;

	void signal() {
		this.lock.lock();
		try {
			this.pending = true;
			this.signalled.signal();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Wait for a signal, at most {@code timeout}.
	 */
	void await(Duration timeout) throws InterruptedException {
		this.lock.lock();
		try {
			long nanos = timeout.toNanos();
			while (!this.pending && nanos > 0) {
				nanos = this.signalled.awaitNanos(nanos);
			}
			this.pending = false;
		}
		finally {
			this.lock.unlock();
		}
	}

	static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

}
