package dev.autotask.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A {@link Schedule} that fires a fixed period after the previous fire time.
 *
 * <p>The period is a fixed delay measured on the time line, so it is unaffected by
 * time zones and daylight saving: {@code Every.of(Duration.ofHours(1))} fires once
 * per real hour, also on the days that have 23 or 25 hours.
 *
 * @see Cron
 */
public final class Every implements Schedule {

	private static final Duration MINIMUM_PERIOD = Duration.ofSeconds(1);

	private final Duration period;

	private Every(Duration period) {
		this.period = period;
	}

	/**
	 * Create a schedule that fires every {@code period}.
	 * @param period the time between fire times, at least one second
	 * @return the schedule
	 * @throws IllegalArgumentException if the period is shorter than one second
	 * (including zero and negative periods)
	 */
	public static Every of(Duration period) {
		Objects.requireNonNull(period, "'period' must not be null");
		if (period.compareTo(MINIMUM_PERIOD) < 0) {
			// Shorter periods would make a recurring task a busy loop for the workers
			throw new IllegalArgumentException(
					"Period must be at least 1 second (PT1S) but was " + period);
		}
		return new Every(period);
	}

	/**
	 * Return the time between fire times.
	 * @return the period
	 */
	public Duration period() {
		return this.period;
	}

	/**
	 * Return {@code after} plus the {@linkplain #period() period}.
	 * @param after the previous fire time
	 * @return the next fire time
	 */
	@Override
	public Instant nextAfter(Instant after) {
		return after.plus(this.period);
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (this == other || (other instanceof Every that && this.period.equals(that.period)));
	}

	@Override
	public int hashCode() {
		return this.period.hashCode();
	}

	@Override
	public String toString() {
		return "every " + this.period;
	}

}
