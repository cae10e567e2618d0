package dev.autotask;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * How to start one task, beyond its arguments: who owns it, when it may start, how urgent it
 * is, and whether it is unique.
 *
 * <pre class="code">
 * autotask.send("reports.rebuild", SendOptions.owner("tenant-7").delay(Duration.ofMinutes(5)).uniqueKey("42"), 42L);
 * </pre>
 *
 * @param owner the application or tenant starting it; only it can see the task
 * @param delay the earliest start, from now; {@code null} for the task's own delay
 * @param priority higher runs first within its queue; 0 by default
 * @param uniqueKey a key that makes a second start, while the first task with this name,
 * owner and key is pending or running, return the first instead; {@code null} for none
 * @param uniqueFor how long after its creation the first task keeps the key from a second
 * start, even once it has ended; {@code null} for as long as it is pending or running
 * @param replacing whether a second start with the key gives a pending first task its
 * arguments and delay (a debounce: the task runs once, with the latest arguments, the delay after
 * the last start) instead of leaving it as it is
 * @param concurrencyKey a key that at most {@code concurrencyLimit} tasks with it run at once
 * across the cluster (the others wait, pending, without spending attempts); {@code null} for
 * none
 * @param concurrencyLimit how many tasks with the key may run at once, or 0 for no limit on
 * running tasks (a key with a rate limit alone)
 * @param keyRateStarts how many tasks with the key may start per {@code keyRatePeriod} across
 * the cluster, one every period divided by starts; 0 for no rate limit
 * @param keyRatePeriod the period of the key's rate limit, or {@code null} for none
 * @param startedBy the user the task is started as, recorded with it and given to it through
 * {@link TaskContext#startedBy()}; {@code null} for none
 * @see Autotask#send(String, SendOptions, Object...)
 */
public record SendOptions(String owner, @Nullable Duration delay, int priority, @Nullable String uniqueKey,
		@Nullable Duration uniqueFor, boolean replacing, @Nullable String concurrencyKey, int concurrencyLimit,
		int keyRateStarts, @Nullable Duration keyRatePeriod, @Nullable String startedBy) {

	/** Longest unique key. */
	public static final int MAX_UNIQUE_KEY_LENGTH = 200;

	/** Most tasks with one concurrency key that may be allowed to run at once. */
	public static final int MAX_CONCURRENCY_LIMIT = 10_000;

	public SendOptions {
		if (owner == null || owner.isBlank() || owner.length() > 200) {
			throw new IllegalArgumentException("Owner must be 1 to 200 characters, got '" + owner + "'");
		}
		if (delay != null && (delay.isNegative() || delay.compareTo(Duration.ofDays(3650)) > 0)) {
			throw new IllegalArgumentException("Delay must be between 0 and 3650 days, got " + delay);
		}
		if (priority < Short.MIN_VALUE || priority > Short.MAX_VALUE) {
			throw new IllegalArgumentException("Priority must be between -32768 and 32767, got " + priority);
		}
		if (uniqueKey != null && (uniqueKey.isEmpty() || uniqueKey.length() > MAX_UNIQUE_KEY_LENGTH)) {
			throw new IllegalArgumentException(
					"Unique key must be 1 to " + MAX_UNIQUE_KEY_LENGTH + " characters, got '" + uniqueKey + "'");
		}
		if (uniqueFor != null && (uniqueFor.isNegative() || uniqueFor.isZero()
				|| uniqueFor.compareTo(Duration.ofDays(3650)) > 0)) {
			throw new IllegalArgumentException("uniqueFor must be between 1 ms and 3650 days, got " + uniqueFor);
		}
		if (concurrencyKey != null && (concurrencyKey.isEmpty() || concurrencyKey.length() > 200)) {
			throw new IllegalArgumentException(
					"Concurrency key must be 1 to 200 characters, got '" + concurrencyKey + "'");
		}
		if (concurrencyLimit < 0 || concurrencyLimit > MAX_CONCURRENCY_LIMIT) {
			throw new IllegalArgumentException("Concurrency limit must be between 1 and " + MAX_CONCURRENCY_LIMIT
					+ " (or 0 for none, with a rate limit), got " + concurrencyLimit);
		}
		if ((keyRatePeriod == null) != (keyRateStarts == 0)) {
			throw new IllegalArgumentException("A key's rate limit needs both starts and a period, got " + keyRateStarts
					+ " per " + keyRatePeriod);
		}
		if (keyRatePeriod != null) {
			checkKeyRate(keyRateStarts, keyRatePeriod);
		}
		if (startedBy != null && (startedBy.isBlank() || startedBy.length() > 200)) {
			throw new IllegalArgumentException("Started-by user must be 1 to 200 characters, got '" + startedBy + "'");
		}
	}

	/**
	 * Options for a task of one owner, otherwise the task's defaults.
	 * @param owner the owner
	 * @return the options
	 */
	public static SendOptions owner(String owner) {
		return new SendOptions(owner, null, 0, null, null, false, null, 1, 0, null, null);
	}

	/**
	 * A copy with a delay.
	 * @param delay the earliest start, from now
	 * @return the copy
	 */
	public SendOptions delay(Duration delay) {
		return new SendOptions(this.owner, delay, this.priority, this.uniqueKey, this.uniqueFor, this.replacing,
				this.concurrencyKey, this.concurrencyLimit, this.keyRateStarts, this.keyRatePeriod, this.startedBy);
	}

	/**
	 * A copy with a priority.
	 * @param priority higher runs first within the queue
	 * @return the copy
	 */
	public SendOptions priority(int priority) {
		return new SendOptions(this.owner, this.delay, priority, this.uniqueKey, this.uniqueFor, this.replacing,
				this.concurrencyKey, this.concurrencyLimit, this.keyRateStarts, this.keyRatePeriod, this.startedBy);
	}

	/**
	 * A copy with a unique key.
	 * @param uniqueKey the key
	 * @return the copy
	 */
	public SendOptions uniqueKey(String uniqueKey) {
		return new SendOptions(this.owner, this.delay, this.priority, uniqueKey, this.uniqueFor, this.replacing,
				this.concurrencyKey, this.concurrencyLimit, this.keyRateStarts, this.keyRatePeriod, this.startedBy);
	}

	/**
	 * A copy whose unique key holds for a period from the task's creation, even after the task
	 * ended: a second start within it returns the first task. Needs a {@link #uniqueKey}.
	 * <pre class="code">
	 * // At most one reminder per customer per day.
	 * autotask.send("mail.remind", SendOptions.owner(owner).uniqueKey("customer-42").uniqueFor(Duration.ofDays(1)), 42L);
	 * </pre>
	 * @param period how long the key holds, at least 1 ms
	 * @return the copy
	 */
	public SendOptions uniqueFor(Duration period) {
		return new SendOptions(this.owner, this.delay, this.priority, this.uniqueKey, period, this.replacing,
				this.concurrencyKey, this.concurrencyLimit, this.keyRateStarts, this.keyRatePeriod, this.startedBy);
	}

	/**
	 * A copy that debounces: a second start with the same unique key gives the first task, if
	 * it is still pending, its arguments and delay, so that it runs once, the delay after the
	 * last start, with the latest arguments. A first task already running is left as it is and
	 * returned. Needs a {@link #uniqueKey}.
	 * <pre class="code">
	 * // Reindex once, 5 s after the last of a burst of edits.
	 * autotask.send("search.reindex", SendOptions.owner(owner).uniqueKey("doc-7").delay(Duration.ofSeconds(5)).replace(), 7L);
	 * </pre>
	 * @return the copy
	 */
	public SendOptions replace() {
		return new SendOptions(this.owner, this.delay, this.priority, this.uniqueKey, this.uniqueFor, true,
				this.concurrencyKey, this.concurrencyLimit, this.keyRateStarts, this.keyRatePeriod, this.startedBy);
	}

	/**
	 * A copy with a concurrency key that makes a mutex: at most one task with the key runs at a
	 * time across the cluster, the others wait, pending, without spending attempts.
	 * <pre class="code">
	 * // One sync per customer at a time, however many are started.
	 * autotask.send("crm.sync", SendOptions.owner(owner).concurrencyKey("customer-42"), 42L);
	 * </pre>
	 * @param key the key, 1 to 200 characters
	 * @return the copy
	 */
	public SendOptions concurrencyKey(String key) {
		return concurrencyKey(key, 1);
	}

	/**
	 * A copy with a concurrency key: at most {@code limit} tasks with the key run at once across
	 * the cluster, the others wait, pending, without spending attempts. Tasks of the same key
	 * should give the same limit: a task is claimed only while fewer than its own limit run.
	 * @param key the key, 1 to 200 characters
	 * @param limit how many may run at once, 1 to 10,000
	 * @return the copy
	 */
	public SendOptions concurrencyKey(String key, int limit) {
		if (limit < 1) {
			throw new IllegalArgumentException("Concurrency limit of key '" + key + "' must be between 1 and "
					+ MAX_CONCURRENCY_LIMIT + ", got " + limit + " (for a rate limit alone, use rateLimitKey)");
		}
		return new SendOptions(this.owner, this.delay, this.priority, this.uniqueKey, this.uniqueFor, this.replacing,
				key, limit, this.keyRateStarts, this.keyRatePeriod, this.startedBy);
	}

	/**
	 * A copy whose concurrency key is also limited by how many of its tasks start per period
	 * across the cluster, on the database's clock: one every {@code period / starts}, smooth
	 * rather than in bursts. The others wait, pending, without spending attempts. Needs a
	 * {@link #concurrencyKey}; tasks of the same key should give the same rate.
	 * <pre class="code">
	 * // At most one sync per customer at a time, and at most 10 per minute.
	 * autotask.send("crm.sync", SendOptions.owner(owner).concurrencyKey("customer-42").keyRateLimit(10, Duration.ofMinutes(1)), 42L);
	 * </pre>
	 * @param starts how many may start per period, 1 or more
	 * @param period the period, at least 1 ms
	 * @return the copy
	 */
	public SendOptions keyRateLimit(int starts, Duration period) {
		checkKeyRate(starts, period);
		return new SendOptions(this.owner, this.delay, this.priority, this.uniqueKey, this.uniqueFor, this.replacing,
				this.concurrencyKey, this.concurrencyLimit, starts, period, this.startedBy);
	}

	/**
	 * A copy with a key limited only by how many of its tasks start per period across the
	 * cluster, however many of them run at once: a partner's API that allows 1,000 calls an
	 * hour, say.
	 * <pre class="code">
	 * autotask.send("partner.push", SendOptions.owner(owner).rateLimitKey("partner-acme", 1000, Duration.ofHours(1)), order);
	 * </pre>
	 * @param key the key, 1 to 200 characters
	 * @param starts how many may start per period, 1 or more
	 * @param period the period, at least 1 ms
	 * @return the copy
	 */
	public SendOptions rateLimitKey(String key, int starts, Duration period) {
		checkKeyRate(starts, period);
		return new SendOptions(this.owner, this.delay, this.priority, this.uniqueKey, this.uniqueFor, this.replacing,
				key, 0, starts, period, this.startedBy);
	}

	/**
	 * The time between two starts of tasks with the key, or {@code null} without a rate limit.
	 * @return the interval, at least 1 µs
	 */
	public @Nullable Duration keyRateInterval() {
		if (this.keyRatePeriod == null) {
			return null;
		}
		Duration interval = this.keyRatePeriod.dividedBy(this.keyRateStarts);
		return (interval.toNanos() < 1000) ? Duration.ofNanos(1000) : interval;
	}

	private static void checkKeyRate(int starts, Duration period) {
		if (starts < 1) {
			throw new IllegalArgumentException("A key's rate limit must allow at least 1 start per period, got " + starts);
		}
		if (period.toMillis() < 1 || period.compareTo(Duration.ofDays(3650)) > 0) {
			throw new IllegalArgumentException("The period of a key's rate limit must be between 1 ms and 3650 days, got "
					+ period);
		}
	}

	/**
	 * A copy naming the user the task is started as: the logged-in user, or a service user
	 * the task acts for. It is recorded with the task, not checked: the owner still decides
	 * who can see it.
	 * @param startedBy the user
	 * @return the copy
	 */
	public SendOptions startedBy(String startedBy) {
		return new SendOptions(this.owner, this.delay, this.priority, this.uniqueKey, this.uniqueFor, this.replacing,
				this.concurrencyKey, this.concurrencyLimit, this.keyRateStarts, this.keyRatePeriod, startedBy);
	}

}
