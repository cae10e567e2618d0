package dev.autotask.schedule;

import java.time.Instant;

/**
 * When a recurring task fires next.
 *
 * <p>Implementations are immutable and thread-safe. Every schedule in this package
 * fires forever, so {@link #nextAfter(Instant)} always has an answer.
 *
 * @see Cron
 * @see Every
 */
public interface Schedule {

	/**
	 * Return the first fire time strictly after the given instant.
	 * @param after the instant to search from, typically the previous fire time
	 * @return the next fire time, never {@code null}
	 */
	Instant nextAfter(Instant after);

}
