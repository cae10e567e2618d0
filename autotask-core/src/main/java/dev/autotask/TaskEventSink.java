package dev.autotask;

import java.util.List;

/**
 * Where task events go once a task's end has committed: the application's own listeners, a
 * message broker.
 *
 * <p>
 * A relay on one of the nodes claims a batch of events from the outbox, hands it to each sink
 * in order, and deletes the batch once every sink took it. A sink that throws leaves the batch
 * in the outbox: it is offered again after a back-off, to that sink and to those after it, but
 * not again to the sinks on the same node that already took it. A sink must therefore either
 * publish the whole batch or throw; when it throws after publishing part of it, that part is
 * published again later.
 *
 * @see TaskEvent
 */
@FunctionalInterface
public interface TaskEventSink {

	/**
	 * Publish a batch of events, in order.
	 * @param events the events, in id order, never empty
	 * @throws Exception if the batch, or part of it, could not be published; the whole batch is
	 * then offered again later
	 */
	void publish(List<TaskEvent> events) throws Exception;

}
