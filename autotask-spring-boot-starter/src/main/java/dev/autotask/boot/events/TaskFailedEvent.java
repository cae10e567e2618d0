package dev.autotask.boot.events;

import dev.autotask.TaskError;
import dev.autotask.TaskEvent;

/**
 * A task failed for good: out of retries, stopped by a {@link dev.autotask.TaskFailure}, or
 * lost with its node when it asked to fail then.
 *
 * @see TaskSucceededEvent
 */
public final class TaskFailedEvent extends TaskEndedEvent {

	private static final TaskError UNKNOWN = new TaskError("unknown", "no error was recorded", null);

	TaskFailedEvent(TaskEvent event) {
		super(event);
	}

	/**
	 * What went wrong in the last attempt: the exception's class and message, and its stack
	 * trace unless it was a {@link dev.autotask.TaskFailure}.
	 * @return the error
	 */
	public TaskError getError() {
		TaskError error = getTaskEvent().error();
		return (error != null) ? error : UNKNOWN;
	}

}
