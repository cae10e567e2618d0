package dev.autotask.internal.outbox;

import java.time.Duration;

/**
 * How an {@link OutboxRelay} runs.
 *
 * @param batchSize how many events are claimed and published at once, at most: but the events
 * one statement wrote are one outbox row and go together, so a batch takes rows while fewer
 * events than this come before them, and always at least one row
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
