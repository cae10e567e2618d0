package dev.autotask.engine;

import java.time.Duration;

import dev.autotask.TaskError;
import dev.autotask.TaskFailure;
import dev.autotask.TaskHandle;
import dev.autotask.jdbc.TaskRow;
import dev.autotask.jdbc.TaskTable;
import dev.autotask.json.TaskJson;
import dev.autotask.retry.RetryPolicy;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import org.springframework.dao.DataAccessException;

/**
 * Runs one claimed task on a worker thread and records how it ended: success with its result,
 * a retry after back-off, or failure. Whatever the task does, it leaves the worker with an
 * outcome written, so that no task stays RUNNING because of its own code.
 */
final class TaskRunner {

	/** MDC key holding the id of the task running on this thread. */
	static final String MDC_TASK_ID = "autotask.taskId";

	/** MDC key holding the name of the task running on this thread. */
	static final String MDC_TASK_NAME = "autotask.taskName";

	private static final Logger logger = LoggerFactory.getLogger(TaskRunner.class);

	private final TaskTable table;

	private final TaskRegistry registry;

	private final TaskJson json;

	private final RetryPolicy retryPolicy;

	private final String nodeId;

	private final Runnable onEnd;

	TaskRunner(TaskTable table, TaskRegistry registry, TaskJson json, RetryPolicy retryPolicy, String nodeId,
			Runnable onEnd) {
		this.table = table;
		this.registry = registry;
		this.json = json;
		this.retryPolicy = retryPolicy;
		this.nodeId = nodeId;
		this.onEnd = onEnd;
	}

	void run(TaskRow row) {
		MDC.put(MDC_TASK_ID, Long.toString(row.id()));
		MDC.put(MDC_TASK_NAME, row.name());
		try {
			execute(row);
		}
		catch (DataAccessException ex) {
			// The outcome could not be written: the row stays RUNNING on this node until the
			// node is found dead and the task recovered.
			logger.error("Could not record the outcome of task {} ({})", row.id(), row.name(), ex);
		}
		finally {
			MDC.remove(MDC_TASK_ID);
			MDC.remove(MDC_TASK_NAME);
			this.onEnd.run();
		}
	}

	private void execute(TaskRow row) {
		TaskDefinition task = this.registry.find(row.name()).orElse(null);
		if (task == null) {
			fail(row, null, new TaskError(IllegalStateException.class.getName(),
					"No task named '" + row.name() + "' is registered on node " + this.nodeId, null));
			return;
		}
		@Nullable Object[] args;
		try {
			args = this.json.readArgs(task, row.args());
		}
		catch (IllegalArgumentException ex) {
			fail(row, null, new TaskError(IllegalArgumentException.class.getName(),
					"Stored arguments no longer fit " + task.source() + ": " + ex.getMessage(), null));
			return;
		}
		Object value;
		try {
			value = task.invoker().invoke(args);
			if (value instanceof TaskHandle<?> handle) {
				value = handle.result();
			}
		}
		catch (TaskFailure ex) {
			logger.info("Task {} ({}) failed: {}", row.id(), row.name(), ex.getMessage());
			fail(row, this.json.write(String.valueOf(ex.getMessage())), TaskJson.describe(ex, false));
			return;
		}
		catch (Throwable ex) {
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
			failedAttempt(row, ex);
			return;
		}
		String result;
		try {
			result = this.json.writeResult(task, value);
		}
		catch (IllegalArgumentException ex) {
			logger.error("Task {} ({}) returned a result that cannot be stored", row.id(), row.name(), ex);
			fail(row, null, new TaskError(IllegalArgumentException.class.getName(), ex.getMessage(), null));
			return;
		}
		if (!this.table.complete(row.id(), this.nodeId, result)) {
			logger.warn("Task {} ({}) succeeded, but it was no longer running on this node; its outcome is not recorded",
					row.id(), row.name());
		}
	}

	private void failedAttempt(TaskRow row, Throwable ex) {
		TaskError error = TaskJson.describe(ex, true);
		if (row.attempt() < row.maxAttempts()) {
			Duration delay = this.retryPolicy.delayAfter(row.attempt());
			logger.warn("Task {} ({}) attempt {} of {} failed, retrying in {} ms", row.id(), row.name(), row.attempt(),
					row.maxAttempts(), delay.toMillis(), ex);
			this.table.retry(row.id(), this.nodeId, this.json.writeError(error), delay);
		}
		else {
			logger.error("Task {} ({}) failed after {} attempt(s)", row.id(), row.name(), row.attempt(), ex);
			fail(row, null, error);
		}
	}

	private void fail(TaskRow row, @Nullable String result, TaskError error) {
		if (!this.table.fail(row.id(), this.nodeId, result, this.json.writeError(error))) {
			logger.warn("Task {} ({}) failed, but it was no longer running on this node; its outcome is not recorded",
					row.id(), row.name());
		}
	}

}
