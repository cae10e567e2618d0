package dev.autotask.internal.backoff;

import java.time.Duration;

/**
 * The wait before each try of a loop that keeps failing: {@code first} after the first failed
 * try, doubling after each one, up to {@code max}. It is a pure function of the try's number,
 * as Oban's {@code Backoff} and River's {@code NextRetry} are, so that a loop keeps a count,
 * not a duration, and resets it to zero once a try works.
 *
 * <p>
 * No jitter, unlike the tasks' {@code ExponentialBackoff}: each loop runs once per node, so its
 * tries do not pile up on one another. The first wait is {@code first} even when it is more than
 * {@code max}: a dispatcher that polls every 20 ms still waits 100 ms after its first failed
 * claim, and only the waits after it are cut to the poll interval.
 *
 * @param first the wait after the first failed try
 * @param max the longest wait after any later one
 */
public record Backoff(Duration first, Duration max) {

	/**
	 * Create a back-off.
	 * @param first the wait after the first failed try; positive
	 * @param max the longest wait after any later one; positive
	 */
	public Backoff {
		if (first.isNegative() || first.isZero() || max.isNegative() || max.isZero()) {
			throw new IllegalArgumentException("Back-off must be positive, got first " + first + " and max " + max);
		}
	}

	/**
	 * How long to wait after a failed try.
	 * @param failures how many tries have failed in a row, the one just ended included
	 * @return the wait: {@code first} after one, {@code min(max, first × 2^(failures-1))} after
	 * more
	 */
	public Duration delay(int failures) {
		if (failures <= 1) {
			return this.first;
		}
		// In nanoseconds, allocating nothing but the answer: the loops call it while the heap may be full.
		long first = this.first.toNanos();
		long max = this.max.toNanos();
		int doublings = failures - 1;
		// Shifted that far, first would pass the sign bit: past any max in any case.
		if (doublings >= Long.numberOfLeadingZeros(first) || (first << doublings) >= max) {
			return this.max;
		}
		return Duration.ofNanos(first << doublings);
	}

}
