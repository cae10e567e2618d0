package dev.autotask.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Doubles the wait after each failed attempt, from an initial delay up to a ceiling, with
 * jitter so that tasks that failed together do not retry together.
 *
 * <p>
 * The wait after attempt {@code n} is {@code min(max, initial × 2^(n-1))}, scaled by a random
 * factor in {@code [0.75, 1.25)}.
 */
public final class ExponentialBackoff implements RetryPolicy {

	private static final double JITTER = 0.25;

	private final Duration initial;

	private final Duration max;

	/**
	 * Create a back-off.
	 * @param initial the wait after the first failed attempt
	 * @param max the longest wait
	 */
	public ExponentialBackoff(Duration initial, Duration max) {
		if (initial.isNegative() || max.compareTo(initial) < 0) {
			throw new IllegalArgumentException(
					"Retry back-off needs 0 <= initial <= max, got initial " + initial + " and max " + max);
		}
		this.initial = initial;
		this.max = max;
	}

	@Override
	public Duration delayAfter(int failedAttempt) {
		long initialMillis = this.initial.toMillis();
		// Past 2^30 the shift overflows; the ceiling has long been reached by then anyway.
		int doublings = Math.min(Math.max(failedAttempt - 1, 0), 30);
		double base = Math.min(this.max.toMillis(), (double) initialMillis * (1L << doublings));
		double factor = 1 - JITTER + 2 * JITTER * ThreadLocalRandom.current().nextDouble();
		return Duration.ofMillis(Math.round(base * factor));
	}

	@Override
	public String toString() {
		return "ExponentialBackoff[initial=" + this.initial + ", max=" + this.max + "]";
	}

}
