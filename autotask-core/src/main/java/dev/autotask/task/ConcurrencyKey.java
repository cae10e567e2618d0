package dev.autotask.task;

import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A task's concurrency key taken from one of its arguments, and the key's limits: at most
 * {@code limit} tasks with the same key run at once across the cluster, and at most
 * {@code rateStarts} of them start per {@code ratePeriod}. Declared with
 * {@code @DelayedTask(concurrencyKey = "customerId")}; a start that gives a key of its own
 * ({@link dev.autotask.SendOptions#concurrencyKey}) overrides it.
 *
 * @param parameter the name of the parameter whose argument is the key: a string as it is,
 * a number or boolean as written in JSON
 * @param limit how many may run at once, 1 to 10,000, or 0 for no limit (a rate alone)
 * @param rateStarts how many may start per period, or 0 for no rate limit
 * @param ratePeriod the rate's period, or {@code null} for no rate limit
 */
public record ConcurrencyKey(String parameter, int limit, int rateStarts, @Nullable Duration ratePeriod) {

	public ConcurrencyKey {
		Objects.requireNonNull(parameter, "parameter");
		if (limit < 0 || limit > 10_000) {
			throw new IllegalArgumentException(
					"Concurrency limit of key '" + parameter + "' must be 1 to 10000, or 0 for none, got " + limit);
		}
		if ((ratePeriod == null) != (rateStarts == 0) || rateStarts < 0) {
			throw new IllegalArgumentException("Rate limit of key '" + parameter
					+ "' needs both starts and a period, got " + rateStarts + " per " + ratePeriod);
		}
		if (limit == 0 && ratePeriod == null) {
			throw new IllegalArgumentException(
					"Concurrency key '" + parameter + "' has neither a limit on running tasks nor a rate limit");
		}
	}

}
