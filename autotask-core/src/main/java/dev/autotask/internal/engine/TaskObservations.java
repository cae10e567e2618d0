package dev.autotask.internal.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import dev.autotask.engine.TaskObserver;
import dev.autotask.internal.jdbc.TaskRow;
import dev.autotask.internal.json.TaskJson;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

/**
 * The Micrometer observations of enqueue and execution, and the trace context that links them.
 *
 * <p>
 * An enqueue is a {@link SenderContext} whose carrier is a map: a tracer's propagating handler
 * writes the enqueuing span's fields into it when the observation starts (W3C
 * {@code traceparent} and {@code tracestate}, say), and the map is stored with the task as JSON.
 * An execution is a {@link ReceiverContext} over that map, read back from the claimed row, so
 * that the tracer makes the execution's span a child of the enqueuing one, in the same trace.
 * Without a tracer the map stays empty and nothing is stored; with the
 * {@link ObservationRegistry#NOOP no-op registry}, nothing is read or written either.
 */
final class TaskObservations {

	/** Name of the observation of an enqueue. */
	static final String ENQUEUE = "autotask.enqueue";

	/** Name of the observation of one attempt of a task on a worker. */
	static final String EXECUTION = "autotask.execution";

	/** Low-cardinality key: the task's name. */
	static final String TASK = "task";

	/** Low-cardinality key: the task's queue. */
	static final String QUEUE = "queue";

	/** Low-cardinality key of an execution: how its attempt ended. */
	static final String OUTCOME = "outcome";

	/**
	 * The outcome of an attempt that recorded none: it snoozed, or was handed back on shutdown.
	 * One that ran past its timeout is tagged by the watchdog, in the same observation.
	 */
	static final String NO_OUTCOME = "NONE";

	private static final Logger logger = LoggerFactory.getLogger(TaskObservations.class);

	private final ObservationRegistry registry;

	private final TaskJson json;

	TaskObservations(ObservationRegistry registry, TaskJson json) {
		this.registry = registry;
		this.json = json;
	}

	/**
	 * Observe an enqueue.
	 * @param <T> what the insert returns
	 * @param task the task's name
	 * @param queue its queue
	 * @param insert inserts the task with the trace context to store (or {@code null}), in the
	 * observation's scope
	 * @return what the insert returned
	 */
	<T> T enqueue(String task, String queue, Function<@Nullable String, T> insert) {
		if (this.registry.isNoop()) {
			return insert.apply(null);
		}
		SenderContext<Map<String, String>> context = new SenderContext<>((carrier, key, value) -> {
			if (carrier != null) {
				carrier.put(key, value);
			}
		});
		Map<String, String> carrier = new LinkedHashMap<>();
		context.setCarrier(carrier);
		Observation observation = Observation.createNotStarted(ENQUEUE, () -> context, this.registry)
			.lowCardinalityKeyValue(TASK, task)
			.lowCardinalityKeyValue(QUEUE, queue)
			.start();
		try (Observation.Scope scope = observation.openScope()) {
			return insert.apply(carrier.isEmpty() ? null : this.json.write(carrier));
		}
		catch (RuntimeException ex) {
			observation.error(ex);
			throw ex;
		}
		finally {
			observation.stop();
		}
	}

	/**
	 * The observation of one attempt, not started, joined to the trace the task was enqueued in.
	 * Its outcome is {@link #NO_OUTCOME} until {@link #outcome} tags it.
	 * @param row the claimed task
	 * @return the observation
	 */
	Observation execution(TaskRow row) {
		if (this.registry.isNoop()) {
			return Observation.NOOP;
		}
		ReceiverContext<Map<String, String>> context = new ReceiverContext<>(
				(carrier, key) -> (carrier != null) ? carrier.get(key) : null);
		context.setCarrier(carrier(row));
		return Observation.createNotStarted(EXECUTION, () -> context, this.registry)
			.lowCardinalityKeyValue(TASK, row.name())
			.lowCardinalityKeyValue(QUEUE, row.queue())
			.lowCardinalityKeyValue(OUTCOME, NO_OUTCOME)
			.highCardinalityKeyValue("task.id", Long.toString(row.id()))
			.highCardinalityKeyValue("task.attempt", Integer.toString(row.attempt()));
	}

	/**
	 * Tag the execution in scope on this thread with how its attempt ended.
	 * @param outcome the outcome
	 */
	void outcome(TaskObserver.Outcome outcome) {
		Observation current = this.registry.getCurrentObservation();
		if (current != null && EXECUTION.equals(current.getContext().getName())) {
			current.lowCardinalityKeyValue(OUTCOME, outcome.name());
		}
	}

	/**
	 * The observation in scope on this thread, to open again on another (the watchdog's).
	 * @return the observation, or {@code null}
	 */
	@Nullable Observation current() {
		return this.registry.getCurrentObservation();
	}

	private Map<String, String> carrier(TaskRow row) {
		String stored = row.traceContext();
		if (stored == null) {
			return Map.of();
		}
		try {
			Map<String, Object> fields = this.json.readResult(stored, Map.class);
			Map<String, String> carrier = new LinkedHashMap<>();
			if (fields != null) {
				fields.forEach((key, value) -> carrier.put(key, String.valueOf(value)));
			}
			return carrier;
		}
		catch (JacksonException ex) {
			// Only a hand-written row gets here; the task still runs, in a trace of its own.
			logger.warn("Ignoring the unreadable trace context of task {} ({}): {}", row.id(), row.name(),
					ex.toString());
			return Map.of();
		}
	}

}
