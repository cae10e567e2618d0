package dev.autotask.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Doubles the wait after each failed attempt, from an initial delay up to a ceiling, with
 * jitter so that tasks that failed together do not retry together.
 *
 * <p>
 * The wait after attempt {@code n} is {@code min(max, initial × 2^(n-1))}, scaled by a random
 * factor in {@code [0.75, 1.25)}, and never more than {@code max}.
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
		// In double milliseconds: 2^n overflows no long, and a huge max is simply a large number.
		double maxMillis = millis(this.max);
		double base = Math.min(maxMillis, millis(this.initial) * Math.pow(2, Math.max(failedAttempt - 1, 0)));
		double factor = 1 - JITTER + 2 * JITTER * ThreadLocalRandom.current().nextDouble();
		// The jitter never takes a wait past the ceiling: max is the longest wait, as documented.
		double jittered = Math.min(maxMillis, base * factor);
		return (jittered >= Long.MAX_VALUE) ? this.max : Duration.ofMillis(Math.round(jittered));
	}

	private static double millis(Duration duration) {
		return duration.getSeconds() * 1000.0 + duration.getNano() / 1_000_000.0;
	}

	@Override
	public String toString() {
		return "ExponentialBackoff[initial=" + this.initial + ", max=" + this.max + "]";
	}

}
