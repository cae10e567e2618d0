package dev.autotask.internal.engine;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import dev.autotask.TaskContext;
import dev.autotask.TaskError;
import dev.autotask.TaskFailure;
import dev.autotask.TaskHandle;
import dev.autotask.internal.jdbc.TaskOutcomeTable;
import dev.autotask.internal.jdbc.TaskRow;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.retry.RetryPolicy;
import dev.autotask.task.TaskDefinition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a task's own code once, with its context in place, and says how the attempt ended. It
 * reads and writes no database and keeps no clock: the {@link TaskRunner} around it finds the
 * task, reads its arguments, and records what it says.
 *
 * <p>
 * How an attempt ends, by what the code did:
 * <ul>
 * <li>returned: {@code SUCCESS} with its result, or {@code CANCELLED} with it if it had been
 * told of a cancel request (it stopped because it was asked to); a result that cannot be stored
 * is a {@code FAILURE};</li>
 * <li>{@code repeat(args)}: the next link of its chain, or a {@code FAILURE} if the arguments do
 * not fit; {@code snooze(delay)}, and each chunk of {@code iterate} but the last: back to
 * {@code PENDING} later; {@code iterate} that saw a cancel before a chunk: {@code CANCELLED};</li>
 * <li>threw a {@link TaskFailure}: {@code FAILURE} at once, its message as the result;</li>
 * <li>threw anything else after it was told of a cancel request: {@code CANCELLED}, with the
 * error; threw one listed in {@code noRetryFor}: {@code FAILURE} at once;</li>
 * <li>threw anything else, an {@code OutOfMemoryError} or the watchdog's timeout included: a
 * failed attempt, retried after the policy's delay while attempts remain, else a
 * {@code FAILURE}; or nothing at all while the engine stops, since the shutdown interrupted it
 * and hands it back.</li>
 * </ul>
 * Whatever the code does, the attempt ends with one of these, so that no task stays
 * {@code RUNNING} because of its own code.
 */
final class AttemptRunner {

	private static final Logger logger = LoggerFactory.getLogger(AttemptRunner.class);

	private final TaskJson json;

	private final RetryPolicy retryPolicy;

	private final BooleanSupplier stopping;

	AttemptRunner(TaskJson json, RetryPolicy retryPolicy, BooleanSupplier stopping) {
		this.json = json;
		this.retryPolicy = retryPolicy;
		this.stopping = stopping;
	}

	/**
	 * Run the task's code on this thread and say how the attempt ended.
	 * @param row the task, as claimed
	 * @param task its definition
	 * @param args its arguments
	 * @param context its context, in place while the code runs
	 * @param cancelSeen whether the code was told of a cancel request
	 * @param endHere ends the attempt from the task's side: whether it did so before the
	 * watchdog, and so says how the attempt ended
	 * @return how it ended; {@link Ending#NOTHING} if the watchdog ended it first
	 */
	Ending run(TaskRow row, TaskDefinition task, @Nullable Object[] args, TaskContext context,
			BooleanSupplier cancelSeen, BooleanSupplier endHere) {
		Object value;
		TaskContextHolder.set(context);
		try {
			value = task.invoker().invoke(args);
			if (value instanceof TaskHandle<?> handle) {
				value = handle.result();
			}
		}
		catch (RunningTask.Repeat repeat) {
			return endHere.getAsBoolean() ? continueWith(row, task, repeat.args()) : Ending.NOTHING;
		}
		catch (RunningTask.Snooze snooze) {
			return endHere.getAsBoolean() ? new Ending.Snooze(snooze.delay()) : Ending.NOTHING;
		}
		catch (RunningTask.Cancelled cancelled) {
			if (!endHere.getAsBoolean()) {
				return Ending.NOTHING;
			}
			logger.info("Task {} ({}) was cancelled before its next chunk", row.id(), row.name());
			return cancelled(row, null);
		}
		catch (TaskFailure ex) {
			if (!endHere.getAsBoolean()) {
				return Ending.NOTHING;
			}
			logger.info("Task {} ({}) failed: {}", row.id(), row.name(), ex.getMessage());
			return failure(row, this.json.write(String.valueOf(ex.getMessage())), TaskJson.describe(ex, false));
		}
		catch (Throwable ex) {
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
			return endHere.getAsBoolean() ? threw(row, task, ex, cancelSeen.getAsBoolean()) : Ending.NOTHING;
		}
		finally {
			TaskContextHolder.set(null);
		}
		if (!endHere.getAsBoolean()) {
			return Ending.NOTHING;
		}
		return returned(row, task, value, cancelSeen.getAsBoolean());
	}

	private Ending threw(TaskRow row, TaskDefinition task, Throwable ex, boolean cancelSeen) {
		if (cancelSeen) {
			// Stopped because it was asked to, by throwing: cancelled, not retried.
			logger.info("Task {} ({}) stopped on a cancel request with {}", row.id(), row.name(), ex.toString());
			return new Ending.Complete(
					() -> Completer.cancelled(row, null, this.json.writeError(TaskJson.describe(ex, true))));
		}
		if (task.isFatal(ex)) {
			logger.info("Task {} ({}) failed with {}, listed in noRetryFor", row.id(), row.name(), ex.toString());
			return failure(row, null, TaskJson.describe(ex, true));
		}
		return failedAttempt(row, ex);
	}

	private Ending returned(TaskRow row, TaskDefinition task, @Nullable Object value, boolean cancelSeen) {
		String result;
		try {
			result = this.json.writeResult(task, value);
		}
		catch (IllegalArgumentException ex) {
			logger.error("Task {} ({}) returned a result that cannot be stored", row.id(), row.name(), ex);
			return failure(row, null, new TaskError(IllegalArgumentException.class.getName(), ex.getMessage(), null));
		}
		if (cancelSeen) {
			// It returned after it was told of the cancel request: it stopped because it was asked to.
			return new Ending.Complete(() -> Completer.cancelled(row, result, null));
		}
		return new Ending.Complete(() -> Completer.success(row, result));
	}

	private Ending continueWith(TaskRow row, TaskDefinition task, Object[] args) {
		try {
			return new Ending.Continue(this.json.writeArgs(task, args), task.maxAttempts());
		}
		catch (IllegalArgumentException ex) {
			return failure(row, null, new TaskError(IllegalArgumentException.class.getName(),
					"The task repeated itself with arguments that do not fit: " + ex.getMessage(), null));
		}
	}

	/**
	 * The attempt failed, by the task's fault or the JVM's around it (a full heap, its timeout):
	 * retried while attempts remain.
	 * @param row the task, as claimed
	 * @param ex what ended the attempt
	 * @return a retry, a failure, or nothing if the shutdown interrupted it
	 */
	Ending failedAttempt(TaskRow row, Throwable ex) {
		if (this.stopping.getAsBoolean()) {
			// Interrupted by the shutdown, not by its own fault: the engine hands it back.
			logger.info("Task {} ({}) was interrupted by the shutdown: {}", row.id(), row.name(), ex.toString());
			return Ending.NOTHING;
		}
		TaskError error = TaskJson.describe(ex, true);
		if (row.attempt() < row.maxAttempts()) {
			Duration delay = this.retryPolicy.delayAfter(row.attempt());
			logger.warn("Task {} ({}) attempt {} of {} failed, retrying in {} ms", row.id(), row.name(), row.attempt(),
					row.maxAttempts(), delay.toMillis(), ex);
			return new Ending.Complete(() -> Completer.retry(row, this.json.writeError(error), delay));
		}
		logger.error("Task {} ({}) failed after {} attempt(s)", row.id(), row.name(), row.attempt(), ex);
		return failure(row, null, error);
	}

	/**
	 * A failure, with no retry.
	 * @param row the task, as claimed
	 * @param result its result, if it has one
	 * @param error why it failed
	 * @return the failure
	 */
	Ending failure(TaskRow row, @Nullable String result, TaskError error) {
		return new Ending.Complete(() -> Completer.failure(row, result, this.json.writeError(error)));
	}

	/**
	 * Cancelled, with no error.
	 * @param row the task, as claimed
	 * @param result its result, if it has one
	 * @return the cancel
	 */
	static Ending cancelled(TaskRow row, @Nullable String result) {
		return new Ending.Complete(() -> Completer.cancelled(row, result, null));
	}

	/**
	 * How an attempt ended, and so what the runner records.
	 */
	sealed interface Ending {

		/** Nothing to record: the watchdog recorded it, or the shutdown hands the task back. */
		Ending NOTHING = new Nothing();

		/**
		 * An outcome for the completer. It is built only when it is handed over, so that an
		 * {@code OutOfMemoryError} meanwhile is retried with the handing over.
		 * @param outcome builds the outcome
		 */
		record Complete(Supplier<TaskOutcomeTable.Outcome> outcome) implements Ending {

		}

		/**
		 * The run ends, and the next link of its chain is enqueued.
		 * @param args the next link's arguments, as JSON
		 * @param maxAttempts the attempts the next link is allowed
		 */
		record Continue(String args, int maxAttempts) implements Ending {

		}

		/**
		 * The task goes back to {@code PENDING}, unless a cancel was requested meanwhile.
		 * @param delay how long from now it waits
		 */
		record Snooze(Duration delay) implements Ending {

		}

		/**
		 * See {@link #NOTHING}.
		 */
		record Nothing() implements Ending {

		}

	}

}
