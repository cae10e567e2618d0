package dev.autotask.boot.events;

import dev.autotask.TaskError;
import dev.autotask.TaskEvent;
import org.jspecify.annotations.Nullable;

/**
 * A task was cancelled: while it waited to run (at once, by the cancel), or while it ran, when
 * it stopped because it was asked to. {@link #getResult()} holds what it returned when it
 * stopped, if anything.
 *
 * @see TaskSucceededEvent
 * @see TaskFailedEvent
 */
public final class TaskCancelledEvent extends TaskEndedEvent {

	TaskCancelledEvent(TaskEvent event) {
		super(event);
	}

	/**
	 * What the task threw when it stopped on the cancel request, if it stopped by throwing.
	 * @return the error, or {@code null}
	 */
	public @Nullable TaskError getError() {
		return getTaskEvent().error();
	}

}
