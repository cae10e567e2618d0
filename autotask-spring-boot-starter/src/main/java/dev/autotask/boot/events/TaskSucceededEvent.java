package dev.autotask.boot.events;

import dev.autotask.TaskEvent;

/**
 * A task succeeded; {@link #getResult()} holds what it returned, as JSON.
 *
 * @see TaskFailedEvent
 * @see TaskCancelledEvent
 */
public final class TaskSucceededEvent extends TaskEndedEvent {

	TaskSucceededEvent(TaskEvent event) {
		super(event);
	}

}
