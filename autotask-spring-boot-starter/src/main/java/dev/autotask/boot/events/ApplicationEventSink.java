package dev.autotask.boot.events;

import java.util.List;

import dev.autotask.TaskEvent;
import dev.autotask.TaskEventSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.Ordered;

/**
 * Publishes each task event to the application's listeners as a {@link TaskSucceededEvent},
 * {@link TaskFailedEvent} or {@link TaskCancelledEvent}.
 *
 * <p>
 * It runs first among the sinks, so that listeners hear of an end even while a broker is down.
 * A listener that throws is logged and does not hold the events back: retrying it would hold
 * every later event, for every sink, behind one faulty listener. Work that must not be lost is
 * better started as a task from the listener.
 */
public final class ApplicationEventSink implements TaskEventSink, Ordered {

	private static final Logger logger = LoggerFactory.getLogger(ApplicationEventSink.class);

	private final ApplicationEventPublisher publisher;

	/**
	 * Create the sink.
	 * @param publisher the application's event publisher
	 */
	public ApplicationEventSink(ApplicationEventPublisher publisher) {
		this.publisher = publisher;
	}

	@Override
	public void publish(List<TaskEvent> events) {
		for (TaskEvent event : events) {
			TaskEndedEvent ended = TaskEndedEvent.of(event);
			try {
				this.publisher.publishEvent(ended);
			}
			catch (RuntimeException ex) {
				logger.error("A listener of {} failed; the event is not offered to it again", ended, ex);
			}
		}
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	public String toString() {
		return "application events";
	}

}
