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
 * @param startedBy the user the task is started as, recorded with it and given to it through
 * {@link TaskContext#startedBy()}; {@code null} for none
 * @see Autotask#send(String, SendOptions, Object...)
 */
public record SendOptions(String owner, @Nullable Duration delay, int priority, @Nullable String uniqueKey,
		@Nullable String startedBy) {

	/** Longest unique key. */
	public static final int MAX_UNIQUE_KEY_LENGTH = 200;

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
		return new SendOptions(owner, null, 0, null, null);
	}

	/**
	 * A copy with a delay.
	 * @param delay the earliest start, from now
	 * @return the copy
	 */
	public SendOptions delay(Duration delay) {
		return new SendOptions(this.owner, delay, this.priority, this.uniqueKey, this.startedBy);
	}

	/**
	 * A copy with a priority.
	 * @param priority higher runs first within the queue
	 * @return the copy
	 */
	public SendOptions priority(int priority) {
		return new SendOptions(this.owner, this.delay, priority, this.uniqueKey, this.startedBy);
	}

	/**
	 * A copy with a unique key.
	 * @param uniqueKey the key
	 * @return the copy
	 */
	public SendOptions uniqueKey(String uniqueKey) {
		return new SendOptions(this.owner, this.delay, this.priority, uniqueKey, this.startedBy);
	}

	/**
	 * A copy naming the user the task is started as: the logged-in user, or a service user
	 * the task acts for. It is recorded with the task, not checked: the owner still decides
	 * who can see it.
	 * @param startedBy the user
	 * @return the copy
	 */
	public SendOptions startedBy(String startedBy) {
		return new SendOptions(this.owner, this.delay, this.priority, this.uniqueKey, startedBy);
	}

}
