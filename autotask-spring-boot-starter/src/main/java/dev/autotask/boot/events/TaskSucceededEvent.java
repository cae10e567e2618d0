package dev.autotask.boot.events;

import dev.autotask.TaskEvent;

/**
 * A task succeeded; {@link #getResult()} holds what it returned, as JSON.
 *
 * @see TaskFailedEvent
 */
public final class TaskSucceededEvent extends TaskEndedEvent {

	TaskSucceededEvent(TaskEvent event) {
		super(event);
	}

}
