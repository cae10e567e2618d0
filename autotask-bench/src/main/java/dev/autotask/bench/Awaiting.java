package dev.autotask.bench;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition on the database: the last outcome of a drain is written a moment after
 * its task ran, and the drain counts only once it is.
 */
final class Awaiting {

	// Short, since the wait is timed; the check itself reads a small (partial) index or an empty table.
	private static final long PAUSE_NANOS = Duration.ofMillis(2).toNanos();

	private Awaiting() {
	}

	static void until(BooleanSupplier done, String what) {
		long deadline = System.nanoTime() + Subject.TIMEOUT.toNanos();
		while (!done.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Gave up waiting after " + Subject.TIMEOUT + " for " + what);
			}
			LockSupport.parkNanos(PAUSE_NANOS);
		}
	}

}
