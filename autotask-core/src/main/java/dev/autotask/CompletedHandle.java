package dev.autotask;

import org.jspecify.annotations.Nullable;

/**
 * The handle a task body returns to carry its result back to the engine. It has no id: it
 * never leaves the worker.
 */
record CompletedHandle<R>(@Nullable R result) implements TaskHandle<R> {

	@Override
	public long id() {
		throw new UnsupportedOperationException("TaskHandle.completed(...) carries a result only; it has no id");
	}

	@Override
	public TaskStatus status() {
		return TaskStatus.SUCCESS;
	}

	@Override
	public @Nullable TaskError error() {
		return null;
	}

	@Override
	public TaskHandle<R> refresh() {
		return this;
	}

}
