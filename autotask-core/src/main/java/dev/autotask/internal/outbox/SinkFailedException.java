package dev.autotask.internal.outbox;

import dev.autotask.TaskEventSink;

/**
 * A sink could not publish a batch of task events; the batch stays in the outbox.
 */
public final class SinkFailedException extends Exception {

	private final transient TaskEventSink sink;

	SinkFailedException(TaskEventSink sink, Exception cause) {
		super("Task event sink " + sink + " failed: " + cause, cause);
		this.sink = sink;
	}

	/**
	 * The sink that failed.
	 * @return the sink
	 */
	public TaskEventSink sink() {
		return this.sink;
	}

}
