package dev.autotask;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * That a task ended, as published after the end has committed: to the application's listeners
 * and, where configured, to a message broker.
 *
 * <p>
 * Each end of a task has one event, written to an outbox in the same statement that records
 * the end, so that no event is lost and none is sent for an end that rolled back. Delivery is
 * at least once: an event may be published again if a node stops between publishing it and
 * deleting it from the outbox, so consumers that must not act twice de-duplicate by
 * {@link #id()}.
 *
 * @param id the event's id, unique and increasing in the order events were written
 * @param taskId the task's id
 * @param name the task's registered name
 * @param owner the application or tenant that started it
 * @param outcome {@link TaskStatus#SUCCESS}, {@link TaskStatus#FAILURE} or
 * {@link TaskStatus#CANCELLED} (cancelled while pending, or stopped because it was asked to)
 * @param result the result as JSON: the method's return value after success, the
 * {@link TaskFailure} message after a fatal failure, else {@code null}
 * @param error what went wrong, after a failure (or a cancelled task that stopped by throwing);
 * {@code null} after success
 * @param at when the task ended, on the database's clock
 * @see TaskEventSink
 */
public record TaskEvent(long id, long taskId, String name, String owner, TaskStatus outcome, @Nullable String result,
		@Nullable TaskError error, Instant at) {

	public TaskEvent {
		if (!outcome.isCompleted()) {
			throw new IllegalArgumentException(
					"A task event's outcome is SUCCESS, FAILURE or CANCELLED, got " + outcome);
		}
	}

	/**
	 * Whether the task succeeded.
	 * @return {@code true} for {@link TaskStatus#SUCCESS}
	 */
	public boolean succeeded() {
		return this.outcome == TaskStatus.SUCCESS;
	}

	/**
	 * Whether the task was cancelled.
	 * @return {@code true} for {@link TaskStatus#CANCELLED}
	 */
	public boolean cancelled() {
		return this.outcome == TaskStatus.CANCELLED;
	}

}
