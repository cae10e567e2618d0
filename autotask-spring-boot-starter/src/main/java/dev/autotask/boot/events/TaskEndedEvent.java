package dev.autotask.boot.events;

import java.time.Instant;

import dev.autotask.TaskEvent;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEvent;

/**
 * Published to the application's listeners after a task ended and its end committed: a
 * {@link TaskSucceededEvent}, a {@link TaskFailedEvent} or a {@link TaskCancelledEvent}. Listen
 * to this type for all three.
 *
 * <pre class="code">
 * &#64;EventListener
 * void onFailure(TaskFailedEvent event) {
 *     alerts.send(event.getTaskName() + " failed: " + event.getError().message());
 * }
 * </pre>
 *
 * <p>
 * The event is published on one node of the application, the one whose outbox relay took it,
 * which need not be the node that ran the task, on the relay's thread and outside any
 * transaction. Delivery is at least once; {@link #getEventId()} identifies a repeat.
 */
public abstract sealed class TaskEndedEvent extends ApplicationEvent
		permits TaskSucceededEvent, TaskFailedEvent, TaskCancelledEvent {

	TaskEndedEvent(TaskEvent event) {
		super(event);
	}

	/**
	 * Create the event for a task's end.
	 * @param event the task event
	 * @return a {@link TaskSucceededEvent}, a {@link TaskFailedEvent} or a
	 * {@link TaskCancelledEvent}
	 */
	public static TaskEndedEvent of(TaskEvent event) {
		return switch (event.outcome()) {
			case SUCCESS -> new TaskSucceededEvent(event);
			case CANCELLED -> new TaskCancelledEvent(event);
			default -> new TaskFailedEvent(event);
		};
	}

	/**
	 * The task event this event carries; also its {@link #getSource() source}.
	 * @return the task event
	 */
	public TaskEvent getTaskEvent() {
		return (TaskEvent) getSource();
	}

	/**
	 * The event's id, the same on every delivery of it.
	 * @return the id
	 */
	public long getEventId() {
		return getTaskEvent().id();
	}

	/**
	 * The task's id.
	 * @return the id
	 */
	public long getTaskId() {
		return getTaskEvent().taskId();
	}

	/**
	 * The task's registered name.
	 * @return the name
	 */
	public String getTaskName() {
		return getTaskEvent().name();
	}

	/**
	 * The application or tenant that started the task.
	 * @return the owner
	 */
	public String getOwner() {
		return getTaskEvent().owner();
	}

	/**
	 * The result as JSON: the method's return value after success, the
	 * {@link dev.autotask.TaskFailure} message after a fatal failure, what a cancelled task
	 * returned when it stopped.
	 * @return the JSON, or {@code null} for none
	 */
	public @Nullable String getResult() {
		return getTaskEvent().result();
	}

	/**
	 * When the task ended, on the database's clock.
	 * @return the time
	 */
	public Instant getEndedAt() {
		return getTaskEvent().at();
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[task " + getTaskId() + " (" + getTaskName() + ") of " + getOwner() + "]";
	}

}
