package dev.autotask.internal.engine;

import java.lang.reflect.Type;

import dev.autotask.TaskError;
import dev.autotask.TaskHandle;
import dev.autotask.TaskInfo;
import dev.autotask.TaskStatus;
import dev.autotask.internal.json.TaskJson;
import org.jspecify.annotations.Nullable;

/**
 * The caller's handle on an enqueued task: a snapshot of its row, refreshed on demand.
 */
final class TrackedHandle<R> implements TaskHandle<R> {

	private final long id;

	private final String owner;

	private final TaskClient client;

	private final TaskJson json;

	private final Type resultType;

	private volatile @Nullable TaskInfo info;

	TrackedHandle(long id, String owner, TaskClient client, TaskJson json, Type resultType) {
		this.id = id;
		this.owner = owner;
		this.client = client;
		this.json = json;
		this.resultType = resultType;
	}

	@Override
	public long id() {
		return this.id;
	}

	@Override
	public TaskStatus status() {
		TaskInfo info = this.info;
		return (info != null) ? info.status() : TaskStatus.PENDING;
	}

	@Override
	public @Nullable R result() {
		TaskInfo info = this.info;
		if (info == null || info.status() != TaskStatus.SUCCESS) {
			return null;
		}
		return this.json.readResult(info.result(), this.resultType);
	}

	@Override
	public @Nullable TaskError error() {
		TaskInfo info = this.info;
		return (info != null) ? info.error() : null;
	}

	@Override
	public TaskHandle<R> refresh() {
		this.info = this.client.status(this.id, this.owner)
			.orElseThrow(() -> new IllegalStateException("Task " + this.id + " no longer exists"));
		return this;
	}

	@Override
	public String toString() {
		return "TaskHandle[id=" + this.id + ", status=" + status() + "]";
	}

}
