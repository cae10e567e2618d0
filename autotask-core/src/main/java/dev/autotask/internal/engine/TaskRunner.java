package dev.autotask.internal.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.autotask.TaskError;
import dev.autotask.engine.TaskObserver;
import dev.autotask.internal.jdbc.TaskOutcomeTable;
import dev.autotask.internal.jdbc.TaskRow;
import dev.autotask.internal.jdbc.TaskRunTable;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.retry.RetryPolicy;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import org.springframework.dao.DataAccessException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs one claimed task on a worker thread and hands how it ended to the {@link Completer}:
 * success with its result, a retry after back-off, failure, or cancelled when it stopped
 * because a cancel was requested. It finds the task and reads its arguments; the
 * {@link AttemptRunner} runs its code and says how the attempt ended, the {@link Watchdog}
 * ends one that runs past its timeout, and the {@link OutcomeWriter} writes the outcome through
 * a lost connection or a full heap. Whatever the task does, it leaves the worker with an
 * outcome, so that no task stays RUNNING because of its own code. The rare outcomes that change
 * other rows too (a continuation, a snooze) are written at once, in their own transaction.
 */
final class TaskRunner {

	/** MDC key holding the id of the task running on this thread. */
	static final String MDC_TASK_ID = "autotask.taskId";

	/** MDC key holding the name of the task running on this thread. */
	static final String MDC_TASK_NAME = "autotask.taskName";

	private static final Logger logger = LoggerFactory.getLogger(TaskRunner.class);

	private final TaskRunTable table;

	private final TaskRegistry registry;

	private final TaskJson json;

	private final RetryPolicy retryPolicy;

	private final String nodeId;

	private final TransactionTemplate transactions;

	private final TaskObserver observer;

	private final Completer completer;

	private final TaskObservations observations;

	private final AttemptRunner attempts;

	private final Watchdog watchdog;

	private final OutcomeWriter writer;

	TaskRunner(TaskRunTable table, TaskRegistry registry, TaskJson json, RetryPolicy retryPolicy, String nodeId,
			ScheduledExecutorService watchdog, BooleanSupplier stopping, TransactionTemplate transactions,
			TaskObserver observer, Completer completer, TaskObservations observations) {
		this.observations = observations;
		this.table = table;
		this.registry = registry;
		this.json = json;
		this.retryPolicy = retryPolicy;
		this.nodeId = nodeId;
		this.transactions = transactions;
		this.observer = observer;
		this.completer = completer;
		this.attempts = new AttemptRunner(json, retryPolicy, stopping);
		this.watchdog = new Watchdog(watchdog, observations);
		this.writer = new OutcomeWriter(stopping);
	}

	void run(TaskRow row) {
		MDC.put(MDC_TASK_ID, Long.toString(row.id()));
		MDC.put(MDC_TASK_NAME, row.name());
		long started = System.nanoTime();
		// In scope for the whole attempt, so that a tracer puts its trace id beside ours in the MDC.
		Observation observation = this.observations.execution(row).start();
		try (Observation.Scope scope = observation.openScope()) {
			run(row, started);
		}
		finally {
			observation.stop();
			MDC.remove(MDC_TASK_ID);
			MDC.remove(MDC_TASK_NAME);
		}
	}

	private void run(TaskRow row, long started) {
		observeStart(row);
		try {
			execute(row, started);
		}
		catch (DataAccessException ex) {
			if (ConnectionLoss.matches(ex)) {
				// Only when the engine stops during an outage (see OutcomeWriter): the row stays
				// RUNNING on this node and is handed back, or rescued once the node is seen dead.
				logger.error("Could not record the outcome of task {} ({}): {}", row.id(), row.name(),
						ex.getMostSpecificCause().toString());
			}
			else {
				// The database refused this outcome itself (not the connection): record a failure
				// that it accepts, rather than leave the task RUNNING on a live node for ever.
				logger.error("The outcome of task {} ({}) was refused by the database", row.id(), row.name(), ex);
				recordRefusedOutcome(row, ex, started);
			}
		}
		catch (RuntimeException | Error ex) {
			// Recording itself failed in the JVM (an OutOfMemoryError while describing an
			// OutOfMemoryError, or while logging a retry, say): try once more with the bare type,
			// rather than leave the task RUNNING on a live node for ever, and keep the worker
			// thread alive.
			recordLastResort(row, ex, started);
		}
	}

	/**
	 * How the attempt ended is lost: it counts as failed, and is retried while attempts remain,
	 * since what failed was most likely the JVM around it (a full heap), not the task.
	 */
	private void recordLastResort(TaskRow row, Throwable ex, long started) {
		try {
			logger.error("Could not record the outcome of task {} ({})", row.id(), row.name(), ex);
			String error = this.json.writeError(new TaskError(ex.getClass().getName(),
					"The attempt ended, but its outcome could not be recorded: " + ex.getMessage(), null));
			TaskOutcomeTable.Outcome outcome = (row.attempt() < row.maxAttempts())
					? Completer.retry(row, error, this.retryPolicy.delayAfter(row.attempt()))
					: Completer.failure(row, null, error);
			this.completer.submit(row, outcome, runTime(started));
		}
		catch (RuntimeException | Error again) {
			logger.error("Could not record that task {} ({}) failed either: {}", row.id(), row.name(), again.toString());
		}
	}

	private void recordRefusedOutcome(TaskRow row, DataAccessException ex, long started) {
		try {
			record(row, this.attempts.failure(row, null, new TaskError(ex.getClass().getName(),
					"The task ended, but the database refused its outcome: " + ex.getMostSpecificCause().getMessage(),
					null)), started);
		}
		catch (DataAccessException again) {
			logger.error("Could not record that task {} ({}) failed either", row.id(), row.name(), again);
		}
	}

	private void execute(TaskRow row, long started) {
		TaskDefinition task = this.registry.find(row.name()).orElse(null);
		if (task == null) {
			record(row, this.attempts.failure(row, null, new TaskError(IllegalStateException.class.getName(),
					"No task named '" + row.name() + "' is registered on node " + this.nodeId, null)), started);
			return;
		}
		@Nullable Object[] args;
		try {
			args = this.json.readArgs(task, row.args());
		}
		catch (IllegalArgumentException ex) {
			record(row, this.attempts.failure(row, null, new TaskError(IllegalArgumentException.class.getName(),
					"Stored arguments no longer fit " + task.source() + ": " + ex.getMessage(), null)), started);
			return;
		}
		catch (OutOfMemoryError ex) {
			// Another task filled the heap while the arguments were read: a failed attempt, like
			// one the task met itself, retried while attempts remain; not the end of the task.
			record(row, this.attempts.failedAttempt(row, ex), started);
			return;
		}
		if (row.rescues() > 0 && this.table.isCancelRequested(row.id())) {
			// Asked to stop, then handed back from a node that died (a live node that stops ends
			// such a task itself): it does not run again.
			logger.info("Task {} ({}) was asked to stop before it was handed back; not run again", row.id(),
					row.name());
			record(row, AttemptRunner.cancelled(row, null), started);
			return;
		}
		Watchdog.Deadline deadline = this.watchdog.start(row, task.timeout(),
				(timeout) -> record(row, this.attempts.failedAttempt(row, timeout), started));
		RunningTask context = new RunningTask(row, this.table, this.nodeId, this.json, this.transactions);
		record(row, this.attempts.run(row, task, args, context, context::cancelSeen, deadline::end), started);
	}

	private void record(TaskRow row, AttemptRunner.Ending ending, long started) {
		if (ending instanceof AttemptRunner.Ending.Complete complete) {
			submit(row, complete.outcome(), started);
		}
		else if (ending instanceof AttemptRunner.Ending.Continue next) {
			continueWith(row, next.args(), next.maxAttempts(), started);
		}
		else if (ending instanceof AttemptRunner.Ending.Snooze snooze) {
			snooze(row, snooze.delay(), started);
		}
		// Else nothing: the watchdog recorded the attempt, or the shutdown hands the task back.
	}

	/**
	 * Put the task back for later, or, if a cancel was requested meanwhile, end it cancelled:
	 * the statement decides, so that no cancel is missed between a check and the snooze.
	 */
	private void snooze(TaskRow row, Duration delay, long started) {
		AtomicReference<String> status = new AtomicReference<>();
		this.writer.write(row, () -> {
			Optional<String> snoozed = this.table.snooze(row, this.nodeId, delay);
			snoozed.ifPresent(status::set);
			return snoozed.isPresent();
		});
		if ("CANCELLED".equals(status.get())) {
			logger.info("Task {} ({}) was cancelled instead of running again", row.id(), row.name());
			observeEnd(row, TaskObserver.Outcome.CANCELLED, started);
		}
		else if ("PENDING".equals(status.get())) {
			this.completer.leftPending();
		}
	}

	/**
	 * End this run and enqueue the next link of its chain, in one transaction.
	 */
	private void continueWith(TaskRow row, String nextArgs, int maxAttempts, long started) {
		AtomicBoolean refused = new AtomicBoolean();
		boolean recorded = this.writer.write(row, () -> Boolean.TRUE.equals(this.transactions.execute((status) -> {
			Optional<Long> next = this.table.insertNext(row, nextArgs, maxAttempts);
			refused.set(next.isEmpty());
			if (next.isEmpty()) {
				// A cancel was requested: the chain stops here, and this link ends cancelled.
				return false;
			}
			if (!this.table.complete(row, this.nodeId, this.json.write(Map.of("continuedAs", next.get())))) {
				status.setRollbackOnly();
				logger.warn("Task {} ({}) repeated itself, but its attempt {} was no longer running here; not recorded",
						row.id(), row.name(), row.attempt());
				return false;
			}
			return true;
		})));
		if (recorded) {
			observeEnd(row, TaskObserver.Outcome.SUCCESS, started);
		}
		else if (refused.get()) {
			logger.info("Task {} ({}) was cancelled; its chain stops without the next link", row.id(), row.name());
			submit(row, () -> Completer.cancelled(row, null, null), started);
		}
	}

	/**
	 * Hand an outcome to the completer, built only now, so that a full heap meanwhile is
	 * retried with the handing over.
	 */
	private void submit(TaskRow row, Supplier<TaskOutcomeTable.Outcome> outcome, long started) {
		this.writer.write(row, () -> {
			TaskOutcomeTable.Outcome ended = outcome.get();
			this.completer.submit(row, ended, runTime(started));
			this.observations.outcome(Completer.outcomeOf(ended.status()));
			return true;
		});
	}

	private void observeStart(TaskRow row) {
		// started_at and run_at are both on the database clock; a claim never starts a row early.
		Instant startedAt = (row.startedAt() != null) ? row.startedAt() : row.runAt();
		Duration lag = Duration.between(row.runAt(), startedAt);
		Duration nonNegative = lag.isNegative() ? Duration.ZERO : lag;
		observe(row, (observer) -> observer.started(row.name(), row.queue(), nonNegative));
	}

	private void observeEnd(TaskRow row, TaskObserver.Outcome outcome, long started) {
		this.observations.outcome(outcome);
		this.completer.count(row, outcome);
		Duration runTime = runTime(started);
		observe(row, (observer) -> observer.ended(row.name(), row.queue(), outcome, runTime));
	}

	private static Duration runTime(long started) {
		return Duration.ofNanos(System.nanoTime() - started);
	}

	private void observe(TaskRow row, Consumer<TaskObserver> call) {
		try {
			call.accept(this.observer);
		}
		catch (RuntimeException ex) {
			logger.warn("Task observer failed for task {} ({})", row.id(), row.name(), ex);
		}
	}

}
