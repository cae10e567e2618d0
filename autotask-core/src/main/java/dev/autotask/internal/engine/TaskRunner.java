package dev.autotask.internal.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

import dev.autotask.TaskError;
import dev.autotask.TaskFailure;
import dev.autotask.TaskHandle;
import dev.autotask.engine.TaskObserver;
import dev.autotask.internal.jdbc.TaskRow;
import dev.autotask.internal.jdbc.TaskOutcomeTable;
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
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs one claimed task on a worker thread and hands how it ended to the {@link Completer}:
 * success with its result, a retry after back-off, failure, or cancelled when it stopped
 * because a cancel was requested (it was told so through its context, or its chain or walk was
 * to go on). Whatever the task does, it leaves the worker with an outcome, so that no task
 * stays RUNNING because of its own code. The
 * rare outcomes that change other rows too (a continuation, a snooze) are written at once, in
 * their own transaction.
 *
 * <p>
 * An attempt that runs past its task's timeout is recorded as failed by the watchdog at that
 * moment, and its thread interrupted; whatever the attempt does afterwards is not recorded,
 * since every outcome is written only for the attempt that is still running.
 */
final class TaskRunner {

	/** MDC key holding the id of the task running on this thread. */
	static final String MDC_TASK_ID = "autotask.taskId";

	/** MDC key holding the name of the task running on this thread. */
	static final String MDC_TASK_NAME = "autotask.taskName";

	private static final Logger logger = LoggerFactory.getLogger(TaskRunner.class);

	private static final Duration RECORD_FIRST_BACKOFF = Duration.ofMillis(100);

	private static final Duration RECORD_MAX_BACKOFF = Duration.ofSeconds(5);

	// Enough to outlast one attempt of a task that fills the heap (about 16 s of back-off).
	private static final int RECORD_FULL_HEAP_TRIES = 8;

	private final TaskRunTable table;

	private final TaskRegistry registry;

	private final TaskJson json;

	private final RetryPolicy retryPolicy;

	private final String nodeId;

	private final ScheduledExecutorService watchdog;

	private final BooleanSupplier stopping;

	private final TransactionTemplate transactions;

	private final TaskObserver observer;

	private final Completer completer;

	private final TaskObservations observations;

	TaskRunner(TaskRunTable table, TaskRegistry registry, TaskJson json, RetryPolicy retryPolicy, String nodeId,
			ScheduledExecutorService watchdog, BooleanSupplier stopping, TransactionTemplate transactions,
			TaskObserver observer, Completer completer, TaskObservations observations) {
		this.observations = observations;
		this.table = table;
		this.registry = registry;
		this.json = json;
		this.retryPolicy = retryPolicy;
		this.nodeId = nodeId;
		this.watchdog = watchdog;
		this.stopping = stopping;
		this.transactions = transactions;
		this.observer = observer;
		this.completer = completer;
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
			if (isConnectionLoss(ex)) {
				// Only when the engine stops during an outage (see record): the row stays RUNNING
				// on this node and is handed back, or rescued once the node is seen dead.
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
			fail(row, started, null, new TaskError(ex.getClass().getName(),
					"The task ended, but the database refused its outcome: " + ex.getMostSpecificCause().getMessage(),
					null));
		}
		catch (DataAccessException again) {
			logger.error("Could not record that task {} ({}) failed either", row.id(), row.name(), again);
		}
	}

	private void execute(TaskRow row, long started) {
		TaskDefinition task = this.registry.find(row.name()).orElse(null);
		if (task == null) {
			fail(row, started, null, new TaskError(IllegalStateException.class.getName(),
					"No task named '" + row.name() + "' is registered on node " + this.nodeId, null));
			return;
		}
		@Nullable Object[] args;
		try {
			args = this.json.readArgs(task, row.args());
		}
		catch (IllegalArgumentException ex) {
			fail(row, started, null, new TaskError(IllegalArgumentException.class.getName(),
					"Stored arguments no longer fit " + task.source() + ": " + ex.getMessage(), null));
			return;
		}
		catch (OutOfMemoryError ex) {
			// Another task filled the heap while the arguments were read: a failed attempt, like
			// one the task met itself, retried while attempts remain; not the end of the task.
			failedAttempt(row, ex, started);
			return;
		}
		if (row.rescues() > 0 && this.table.isCancelRequested(row.id())) {
			// Asked to stop, then handed back from a node that died (a live node that stops ends
			// such a task itself): it does not run again.
			logger.info("Task {} ({}) was asked to stop before it was handed back; not run again", row.id(),
					row.name());
			submit(row, () -> Completer.cancelled(row, null, null), started);
			return;
		}
		Attempt attempt = new Attempt(row, task.timeout(), started);
		Object value;
		RunningTask context = new RunningTask(row, this.table, this.nodeId, this.json, this.transactions);
		TaskContextHolder.set(context);
		try {
			value = task.invoker().invoke(args);
			if (value instanceof TaskHandle<?> handle) {
				value = handle.result();
			}
		}
		catch (RunningTask.Repeat repeat) {
			if (attempt.end()) {
				continueWith(row, task, repeat.args(), started);
			}
			return;
		}
		catch (RunningTask.Snooze snooze) {
			if (attempt.end()) {
				snooze(row, snooze.delay(), started);
			}
			return;
		}
		catch (RunningTask.Cancelled cancelled) {
			if (attempt.end()) {
				logger.info("Task {} ({}) was cancelled before its next chunk", row.id(), row.name());
				submit(row, () -> Completer.cancelled(row, null, null), started);
			}
			return;
		}
		catch (TaskFailure ex) {
			if (attempt.end()) {
				logger.info("Task {} ({}) failed: {}", row.id(), row.name(), ex.getMessage());
				fail(row, started, this.json.write(String.valueOf(ex.getMessage())), TaskJson.describe(ex, false));
			}
			return;
		}
		catch (Throwable ex) {
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
			if (attempt.end()) {
				if (context.cancelSeen()) {
					// Stopped because it was asked to, by throwing: cancelled, not retried.
					logger.info("Task {} ({}) stopped on a cancel request with {}", row.id(), row.name(),
							ex.toString());
					submit(row, () -> Completer.cancelled(row, null, this.json.writeError(TaskJson.describe(ex, true))),
							started);
				}
				else if (task.isFatal(ex)) {
					logger.info("Task {} ({}) failed with {}, listed in noRetryFor", row.id(), row.name(), ex.toString());
					fail(row, started, null, TaskJson.describe(ex, true));
				}
				else {
					failedAttempt(row, ex, started);
				}
			}
			return;
		}
		finally {
			TaskContextHolder.set(null);
		}
		if (!attempt.end()) {
			return;
		}
		String result;
		try {
			result = this.json.writeResult(task, value);
		}
		catch (IllegalArgumentException ex) {
			logger.error("Task {} ({}) returned a result that cannot be stored", row.id(), row.name(), ex);
			fail(row, started, null, new TaskError(IllegalArgumentException.class.getName(), ex.getMessage(), null));
			return;
		}
		if (context.cancelSeen()) {
			// It returned after it was told of the cancel request: it stopped because it was asked to.
			submit(row, () -> Completer.cancelled(row, result, null), started);
			return;
		}
		submit(row, () -> Completer.success(row, result), started);
	}

	/**
	 * Put the task back for later, or, if a cancel was requested meanwhile, end it cancelled:
	 * the statement decides, so that no cancel is missed between a check and the snooze.
	 */
	private void snooze(TaskRow row, Duration delay, long started) {
		AtomicReference<String> status = new AtomicReference<>();
		record(row, () -> {
			Optional<String> snoozed = this.table.snooze(row, this.nodeId, delay);
			snoozed.ifPresent(status::set);
			return snoozed.isPresent();
		});
		if ("CANCELLED".equals(status.get())) {
			logger.info("Task {} ({}) was cancelled instead of running again", row.id(), row.name());
			observeEnd(row, TaskObserver.Outcome.CANCELLED, started);
		}
	}

	/**
	 * End this run and enqueue the next link of its chain, in one transaction.
	 */
	private void continueWith(TaskRow row, TaskDefinition task, Object[] args, long started) {
		String nextArgs;
		try {
			nextArgs = this.json.writeArgs(task, args);
		}
		catch (IllegalArgumentException ex) {
			fail(row, started, null, new TaskError(IllegalArgumentException.class.getName(),
					"The task repeated itself with arguments that do not fit: " + ex.getMessage(), null));
			return;
		}
		AtomicBoolean refused = new AtomicBoolean();
		boolean recorded = record(row, () -> Boolean.TRUE.equals(this.transactions.execute((status) -> {
			Optional<Long> next = this.table.insertNext(row, nextArgs, task.maxAttempts());
			refused.set(next.isEmpty());
			if (next.isEmpty()) {
				// A cancel was requested: the chain stops here, and this link ends cancelled.
				return false;
			}
			if (!this.table.complete(row, this.nodeId,
					this.json.write(java.util.Map.of("continuedAs", next.get())))) {
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

	private void failedAttempt(TaskRow row, Throwable ex, long started) {
		if (this.stopping.getAsBoolean()) {
			// Interrupted by the shutdown, not by its own fault: the engine hands it back.
			logger.info("Task {} ({}) was interrupted by the shutdown: {}", row.id(), row.name(), ex.toString());
			return;
		}
		TaskError error = TaskJson.describe(ex, true);
		if (row.attempt() < row.maxAttempts()) {
			Duration delay = this.retryPolicy.delayAfter(row.attempt());
			logger.warn("Task {} ({}) attempt {} of {} failed, retrying in {} ms", row.id(), row.name(), row.attempt(),
					row.maxAttempts(), delay.toMillis(), ex);
			submit(row, () -> Completer.retry(row, this.json.writeError(error), delay), started);
		}
		else {
			logger.error("Task {} ({}) failed after {} attempt(s)", row.id(), row.name(), row.attempt(), ex);
			fail(row, started, null, error);
		}
	}

	private void fail(TaskRow row, long started, @Nullable String result, TaskError error) {
		submit(row, () -> Completer.failure(row, result, this.json.writeError(error)), started);
	}

	/**
	 * Hand an outcome to the completer. An {@code OutOfMemoryError} met while it is built or
	 * handed over (another task filled the heap for a moment, and freeing it takes that task's
	 * failure) does not change the outcome: try again a few times, rather than record a failure
	 * for a task that succeeded.
	 */
	private void submit(TaskRow row, Supplier<TaskOutcomeTable.Outcome> outcome, long started) {
		record(row, () -> {
			TaskOutcomeTable.Outcome ended = outcome.get();
			this.completer.submit(row, ended, runTime(started));
			this.observations.outcome(Completer.outcomeOf(ended.status()));
			return true;
		});
	}


	/**
	 * Write an outcome, trying again for as long as the database cannot be reached. A task
	 * whose outcome is lost stays RUNNING on this node, and a node that comes back heartbeats
	 * again, so nothing would ever rescue it: the write waits for the database instead,
	 * holding its worker. Trying again is safe, since every outcome statement applies only
	 * while the attempt is still RUNNING here: a write that committed before the connection
	 * dropped, or a task rescued meanwhile, makes it return {@code false}. It gives up, and
	 * leaves the row to the hand-back or the rescue, only when the engine stops.
	 */
	private boolean record(TaskRow row, BooleanSupplier write) {
		Duration backoff = RECORD_FIRST_BACKOFF;
		long lostAt = 0;
		int fullHeap = 0;
		while (true) {
			RuntimeException lost;
			try {
				boolean written = write.getAsBoolean();
				if (lostAt != 0 && written) {
					logger.info("Recorded the outcome of task {} ({}) {} ms late", row.id(), row.name(),
							(System.nanoTime() - lostAt) / 1_000_000);
				}
				return written;
			}
			catch (DataAccessException | CannotCreateTransactionException ex) {
				if (!isConnectionLoss(ex) || this.stopping.getAsBoolean()) {
					throw ex;
				}
				lost = ex;
			}
			catch (OutOfMemoryError ex) {
				// Another task filled the heap for a moment; when it fails, its memory is free again.
				// The outcome is still true: write it again, a few times, rather than record a
				// failure for a task that succeeded.
				if (++fullHeap > RECORD_FULL_HEAP_TRIES || this.stopping.getAsBoolean()) {
					throw ex;
				}
				lost = null;
			}
			if (lostAt == 0) {
				lostAt = System.nanoTime();
				// Once per outcome, not per try.
				logger.warn("Cannot record the outcome of task {} ({}) {}; trying again until it can be: {}", row.id(),
						row.name(), (lost != null) ? "while the database is unreachable" : "while the heap is full",
						(lost != null) ? mostSpecific(lost) : "OutOfMemoryError");
			}
			try {
				Thread.sleep(backoff.toMillis());
			}
			catch (InterruptedException interrupted) {
				// Interrupted by the shutdown: leave the row to the hand-back.
				Thread.currentThread().interrupt();
				if (lost != null) {
					throw lost;
				}
				throw new IllegalStateException("Interrupted while the heap was full", interrupted);
			}
			backoff = Wakeup.min(backoff.multipliedBy(2), RECORD_MAX_BACKOFF);
		}
	}

	/**
	 * Whether a failed statement failed for want of a database (connection refused or lost,
	 * no pooled connection in time) rather than because the database refused it. Spring
	 * translates a lost connection (SQL state class 08) to a
	 * {@link DataAccessResourceFailureException}, which is, despite the name, a
	 * {@code NonTransientDataAccessException}.
	 */
	static boolean isConnectionLoss(RuntimeException ex) {
		return ex instanceof DataAccessResourceFailureException || ex instanceof TransientDataAccessException
				|| ex instanceof RecoverableDataAccessException || ex instanceof CannotCreateTransactionException;
	}

	private static String mostSpecific(RuntimeException ex) {
		return (ex instanceof DataAccessException dae) ? dae.getMostSpecificCause().toString() : ex.toString();
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

	/**
	 * One attempt on its worker thread: whoever ends it first, the task or the watchdog at the
	 * timeout, records the outcome.
	 */
	private final class Attempt {

		private final AtomicBoolean ended = new AtomicBoolean();

		private final @Nullable ScheduledFuture<?> deadline;

		Attempt(TaskRow row, @Nullable Duration timeout, long started) {
			if (timeout == null) {
				this.deadline = null;
				return;
			}
			Thread worker = Thread.currentThread();
			Observation observation = TaskRunner.this.observations.current();
			Runnable expire = () -> {
				if (this.ended.compareAndSet(false, true)) {
					MDC.put(MDC_TASK_ID, Long.toString(row.id()));
					// The attempt's observation, in scope here too: the watchdog tags its outcome.
					try (Observation.Scope scope = (observation != null) ? observation.openScope() : null) {
						failedAttempt(row, new TimeoutException(
								"Attempt " + row.attempt() + " ran past its timeout of " + timeout + " and was interrupted"),
								started);
					}
					catch (DataAccessException ex) {
						logger.error("Could not record the timeout of task {} ({})", row.id(), row.name(), ex);
					}
					finally {
						MDC.remove(MDC_TASK_ID);
					}
					worker.interrupt();
				}
			};
			this.deadline = TaskRunner.this.watchdog.schedule(expire, timeout.toMillis(), TimeUnit.MILLISECONDS);
		}

		/**
		 * End the attempt from the task's side.
		 * @return whether the task ended it, and so records its outcome
		 */
		boolean end() {
			if (this.deadline != null) {
				this.deadline.cancel(false);
			}
			boolean mine = this.ended.compareAndSet(false, true);
			if (!mine) {
				// The watchdog interrupted this thread; do not leak the flag into the next task.
				Thread.interrupted();
			}
			return mine;
		}

	}

}
