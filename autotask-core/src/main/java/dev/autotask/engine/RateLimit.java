package dev.autotask.engine;

import java.time.Duration;

/**
 * At most {@code starts} tasks of a queue started per {@code period} across the cluster, spread
 * evenly: one every {@code period / starts}, on the database's clock, rather than all at the
 * start of each period.
 *
 * @param starts the most starts per period, at least 1
 * @param period the period, from 1 ms to a day
 * @see EngineSettings.Builder#queueRateLimits(java.util.Map)
 */
public record RateLimit(int starts, Duration period) {

	public RateLimit {
		if (starts < 1) {
			throw new IllegalArgumentException("A rate limit allows at least 1 start per period, got " + starts);
		}
		if (period == null || period.toMillis() < 1 || period.compareTo(Duration.ofDays(1)) > 0) {
			throw new IllegalArgumentException("A rate limit's period must be from 1 ms to 1 day, got " + period);
		}
	}

	/**
	 * The time between two starts.
	 * @return the period divided by the starts
	 */
	public Duration interval() {
		return this.period.dividedBy(this.starts);
	}

	@Override
	public String toString() {
		return this.starts + " per " + this.period;
	}

}
