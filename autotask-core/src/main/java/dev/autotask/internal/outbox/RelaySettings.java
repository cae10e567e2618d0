package dev.autotask.internal.outbox;

import java.time.Duration;

/**
 * How an {@link OutboxRelay} runs.
 *
 * @param batchSize the most events claimed and published at once
 * @param pollInterval the longest wait between two looks at the outbox without a
 * notification
 * @param minBackoff the first wait after a failure
 * @param maxBackoff the longest wait between two attempts while failures go on
 */
public record RelaySettings(int batchSize, Duration pollInterval, Duration minBackoff, Duration maxBackoff) {

	/** Default batch size. */
	public static final int DEFAULT_BATCH_SIZE = 500;

	/** Default first back-off. */
	public static final Duration DEFAULT_MIN_BACKOFF = Duration.ofMillis(100);

	/** Default longest back-off: how long events may wait after a broker comes back. */
	public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);

	public RelaySettings {
		if (batchSize < 1) {
			throw new IllegalArgumentException("Batch size must be at least 1, got " + batchSize);
		}
		if (minBackoff.isNegative() || minBackoff.isZero() || maxBackoff.compareTo(minBackoff) < 0) {
			throw new IllegalArgumentException(
					"Back-off must be positive, from " + minBackoff + " up to " + maxBackoff);
		}
	}

	/**
	 * The defaults, with a given poll interval.
	 * @param pollInterval the poll interval
	 * @return the settings
	 */
	public static RelaySettings of(Duration pollInterval) {
		return new RelaySettings(DEFAULT_BATCH_SIZE, pollInterval, DEFAULT_MIN_BACKOFF, DEFAULT_MAX_BACKOFF);
	}

}
