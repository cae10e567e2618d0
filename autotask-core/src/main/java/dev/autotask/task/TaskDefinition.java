package dev.autotask.task;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A task this node can run: how to invoke it and the defaults for every run of it.
 *
 * @param name the unique name tasks are started and found by
 * @param queue the queue its runs go on
 * @param parameters its declared parameters, in order
 * @param resultType the type of its result ({@code Void} for none)
 * @param maxAttempts attempts allowed: the first run plus the retries
 * @param delay how long after enqueueing a run may start at the earliest
 * @param ttl how long a run's outcome is kept after it ends, or {@code null} for the engine's
 * default
 * @param timeout how long one attempt may run before it counts as failed, or {@code null} for no
 * limit
 * @param failOnNodeLoss whether a run whose node died fails, instead of being handed back to
 * run again
 * @param noRetryFor exceptions that fail the task at once, like {@link dev.autotask.TaskFailure}
 * @param concurrencyKey the argument that is each run's concurrency key, and its limits; or
 * {@code null} for none
 * @param source where it was declared, for messages ("Reports.rebuild(long)")
 * @param invoker runs it
 */
public record TaskDefinition(String name, String queue, List<TaskParameter> parameters, Type resultType,
		int maxAttempts, Duration delay, @Nullable Duration ttl, @Nullable Duration timeout, boolean failOnNodeLoss,
		List<Class<? extends Throwable>> noRetryFor, @Nullable ConcurrencyKey concurrencyKey, String source,
		TaskInvoker invoker) {

	/** Most attempts a task may allow: beyond it, retries are a bug rather than a policy. */
	public static final int MAX_ATTEMPTS = 10_001;

	/** Longest task name the task table accepts. */
	public static final int MAX_NAME_LENGTH = 200;

	public TaskDefinition {
		Objects.requireNonNull(name, "name");
		if (name.isBlank() || name.length() > MAX_NAME_LENGTH) {
			throw new IllegalArgumentException(
					"Task name of " + source + " must be 1 to " + MAX_NAME_LENGTH + " characters, got '" + name + "'");
		}
		if (queue.isBlank() || queue.length() > 100) {
			throw new IllegalArgumentException(
					"Queue of task '" + name + "' must be 1 to 100 characters, got '" + queue + "'");
		}
		if (maxAttempts > MAX_ATTEMPTS) {
			throw new IllegalArgumentException("Task '" + name + "' (" + source + ") allows at most "
					+ (MAX_ATTEMPTS - 1) + " retries, got " + (maxAttempts - 1));
		}
		if (maxAttempts < 1) {
			throw new IllegalArgumentException(
					"Task '" + name + "' (" + source + ") must allow at least one attempt, got retries = "
							+ (maxAttempts - 1));
		}
		if (delay.isNegative()) {
			throw new IllegalArgumentException("Delay of task '" + name + "' (" + source + ") is negative: " + delay);
		}
		if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
			throw new IllegalArgumentException("TTL of task '" + name + "' (" + source + ") must be positive: " + ttl);
		}
		if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
			throw new IllegalArgumentException(
					"Timeout of task '" + name + "' (" + source + ") must be positive: " + timeout);
		}
		parameters = List.copyOf(parameters);
		noRetryFor = List.copyOf(noRetryFor);
		if (concurrencyKey != null && keyArgument(parameters, concurrencyKey) < 0) {
			throw new IllegalArgumentException("Concurrency key of task '" + name + "' (" + source + ") names '"
					+ concurrencyKey.parameter() + "', which is not one of its parameters " + parameters);
		}
	}

	private static int keyArgument(List<TaskParameter> parameters, ConcurrencyKey key) {
		for (int i = 0; i < parameters.size(); i++) {
			if (parameters.get(i).name().equals(key.parameter())) {
				return i;
			}
		}
		return -1;
	}

	/**
	 * The position of the argument that is each run's concurrency key.
	 * @return its index in {@link #parameters()}, or -1 without a {@link #concurrencyKey()}
	 */
	public int keyArgument() {
		return (this.concurrencyKey != null) ? keyArgument(this.parameters, this.concurrencyKey) : -1;
	}

	/**
	 * A copy whose runs take their concurrency key from an argument.
	 * @param concurrencyKey the argument and the key's limits
	 * @return the copy
	 */
	public TaskDefinition withConcurrencyKey(ConcurrencyKey concurrencyKey) {
		return new TaskDefinition(this.name, this.queue, this.parameters, this.resultType, this.maxAttempts, this.delay,
				this.ttl, this.timeout, this.failOnNodeLoss, this.noRetryFor, concurrencyKey, this.source, this.invoker);
	}

	/**
	 * A definition with the usual defaults: the default queue, three retries, no delay, the
	 * engine's TTL and no result, for tasks defined in code rather than by annotation.
	 * @param name the task's name
	 * @param invoker runs it
	 * @param parameters its parameters
	 * @return the definition
	 */
	public static TaskDefinition of(String name, TaskInvoker invoker, TaskParameter... parameters) {
		return new TaskDefinition(name, "default", List.of(parameters), Void.class, 4, Duration.ZERO, null, null, false,
				List.of(), null, name, invoker);
	}

	/**
	 * A copy with another queue.
	 * @param queue the queue
	 * @return the copy
	 */
	public TaskDefinition withQueue(String queue) {
		return new TaskDefinition(this.name, queue, this.parameters, this.resultType, this.maxAttempts, this.delay,
				this.ttl, this.timeout, this.failOnNodeLoss, this.noRetryFor, this.concurrencyKey,
				this.source, this.invoker);
	}

	/**
	 * A copy with another number of retries.
	 * @param retries retries after the first attempt
	 * @return the copy
	 */
	public TaskDefinition withRetries(int retries) {
		if (retries < 0 || retries >= MAX_ATTEMPTS) {
			throw new IllegalArgumentException("Retries of task '" + this.name + "' (" + this.source
					+ ") must be 0 to " + (MAX_ATTEMPTS - 1) + ", got " + retries);
		}
		return new TaskDefinition(this.name, this.queue, this.parameters, this.resultType, retries + 1, this.delay,
				this.ttl, this.timeout, this.failOnNodeLoss, this.noRetryFor, this.concurrencyKey,
				this.source, this.invoker);
	}

	/**
	 * A copy with another result type.
	 * @param resultType the type results are read back into
	 * @return the copy
	 */
	public TaskDefinition withResultType(Type resultType) {
		return new TaskDefinition(this.name, this.queue, this.parameters, resultType, this.maxAttempts, this.delay,
				this.ttl, this.timeout, this.failOnNodeLoss, this.noRetryFor, this.concurrencyKey,
				this.source, this.invoker);
	}

	/**
	 * A copy with another TTL.
	 * @param ttl how long outcomes are kept
	 * @return the copy
	 */
	public TaskDefinition withTtl(Duration ttl) {
		return new TaskDefinition(this.name, this.queue, this.parameters, this.resultType, this.maxAttempts, this.delay,
				ttl, this.timeout, this.failOnNodeLoss, this.noRetryFor, this.concurrencyKey,
				this.source, this.invoker);
	}

	/**
	 * A copy with another delay.
	 * @param delay the earliest start after enqueueing
	 * @return the copy
	 */
	public TaskDefinition withDelay(Duration delay) {
		return new TaskDefinition(this.name, this.queue, this.parameters, this.resultType, this.maxAttempts, delay,
				this.ttl, this.timeout, this.failOnNodeLoss, this.noRetryFor, this.concurrencyKey,
				this.source, this.invoker);
	}

	/**
	 * A copy with a timeout per attempt.
	 * @param timeout how long one attempt may run
	 * @return the copy
	 */
	public TaskDefinition withTimeout(Duration timeout) {
		return new TaskDefinition(this.name, this.queue, this.parameters, this.resultType, this.maxAttempts, this.delay,
				this.ttl, timeout, this.failOnNodeLoss, this.noRetryFor, this.concurrencyKey,
				this.source, this.invoker);
	}

	/**
	 * A copy that fails, rather than runs again, when its node dies during a run.
	 * @param failOnNodeLoss whether to fail
	 * @return the copy
	 */
	public TaskDefinition withFailOnNodeLoss(boolean failOnNodeLoss) {
		return new TaskDefinition(this.name, this.queue, this.parameters, this.resultType, this.maxAttempts, this.delay,
				this.ttl, this.timeout, failOnNodeLoss, this.noRetryFor, this.concurrencyKey,
				this.source, this.invoker);
	}

	/**
	 * A copy whose listed exceptions fail the task at once, without retries.
	 * @param noRetryFor the exception classes (subclasses count too)
	 * @return the copy
	 */
	public TaskDefinition withNoRetryFor(List<Class<? extends Throwable>> noRetryFor) {
		return new TaskDefinition(this.name, this.queue, this.parameters, this.resultType, this.maxAttempts, this.delay,
				this.ttl, this.timeout, this.failOnNodeLoss, noRetryFor, this.concurrencyKey,
				this.source, this.invoker);
	}

	/**
	 * Whether an exception fails the task at once.
	 * @param ex the exception
	 * @return whether it is listed in {@link #noRetryFor()}
	 */
	public boolean isFatal(Throwable ex) {
		return this.noRetryFor.stream().anyMatch((type) -> type.isInstance(ex));
	}

}
