package dev.autotask.internal.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.autotask.TaskError;
import dev.autotask.engine.TaskObserver;
import dev.autotask.internal.jdbc.TaskRow;
import dev.autotask.internal.jdbc.TaskOutcomeTable;
import dev.autotask.internal.json.TaskJson;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.NonTransientDataAccessException;
import org.springframework.dao.NonTransientDataAccessResourceException;

/**
 * Records the outcomes of ended attempts, many in one statement, as River's job completer
 * does. Workers hand over an outcome and go on with the next task; this thread writes what has
 * arrived: the first outcome at once, and those that arrive while it is written together in the
 * next statement (group commit), so a lone task waits for no timer and a busy node writes one
 * statement per batch instead of one transaction per task.
 *
 * <p>
 * Invariants: a task stays {@code RUNNING} on this node until its outcome has committed, so the
 * API never reports an end that is not durable, and observers hear of an end only after its
 * commit. Each outcome is written under the guard of the single-row statements (still running
 * on this node, same attempt), so a stale attempt never overwrites a newer one. An outcome is
 * never dropped for a failed write: the batch is written again after a back-off until it
 * commits or, once stopping, until the shutdown timeout; what is still unwritten then stays
 * {@code RUNNING} for the hand-back or the orphan rescuer. An outcome that cannot even be built
 * while the heap stays full is given up: its task is no longer {@link HeldTasks held}, and the
 * supervisor hands it back as a stray. An outcome the database refuses (not the connection)
 * is recorded as a failure saying so.
 */
final class Completer implements Runnable {

	/** The most outcomes written in one statement. */
	static final int BATCH = 500;

	// Outcomes waiting to be written: a worker handing over one more waits, so that the heap
	// stays bounded while the database is down.
	private static final int CAPACITY = 4 * BATCH;

	private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

	private static final int FULL_HEAP_TRIES = 5;

	private static final Logger logger = LoggerFactory.getLogger(Completer.class);

	private final TaskOutcomeTable table;

	private final String nodeId;

	private final TaskJson json;

	private final TaskObserver observer;

	private final Runnable retried;

	private final HeldTasks held;

	private final BlockingQueue<Ended> queue = new LinkedBlockingQueue<>(CAPACITY);

	// The outcomes being written; only the completer's thread uses it.
	private final List<Ended> batch = new ArrayList<>(BATCH);

	private final CountDownLatch stopping = new CountDownLatch(1);

	private volatile long giveUpAt = Long.MAX_VALUE;

	private volatile boolean stopped;

	/**
	 * Create a completer.
	 * @param retried called after a batch with a retry has committed: the dispatcher, which had
	 * seen the task RUNNING, must look at when it is due
	 * @param held where the tasks whose outcome is still to write are counted
	 */
	Completer(TaskOutcomeTable table, String nodeId, TaskJson json, TaskObserver observer, Runnable retried,
			HeldTasks held) {
		this.table = table;
		this.nodeId = nodeId;
		this.json = json;
		this.observer = observer;
		this.retried = retried;
		this.held = held;
	}

	/**
	 * A completer that writes each outcome at once on the caller's thread, without retries, for
	 * runs with no threads of their own.
	 */
	static Completer onCallerThread(TaskOutcomeTable table, String nodeId, TaskJson json, TaskObserver observer) {
		Completer completer = new Completer(table, nodeId, json, observer, () -> {
		}, new HeldTasks());
		completer.stop(Duration.ZERO);
		return completer;
	}

	/**
	 * Hand over an attempt's outcome; it is written, and observed, once it commits.
	 * @param row the task, as claimed
	 * @param outcome how the attempt ended
	 * @param runTime how long the attempt ran
	 */
	void submit(TaskRow row, TaskOutcomeTable.Outcome outcome, Duration runTime) {
		Ended ended = new Ended(row, outcome, runTime, false);
		// Held until written, or given up: then the task is a stray for the supervisor to hand back.
		this.held.hold(row.id());
		if (this.stopped) {
			// Nothing writes in the background any more: write it here.
			writeHere(ended);
			return;
		}
		try {
			this.queue.put(ended);
		}
		catch (InterruptedException ex) {
			// Interrupted while the queue was full: write it on this thread rather than lose it.
			Thread.currentThread().interrupt();
			writeHere(ended);
		}
	}

	private void writeHere(Ended ended) {
		try {
			write(List.of(ended));
		}
		finally {
			this.held.letGo(ended.row().id());
		}
	}

	@Override
	public void run() {
		while (true) {
			try {
				writeUntilStopped();
				return;
			}
			catch (Throwable ex) {
				// An Error while an error was handled (the heap still full, say): the thread must
				// outlive anything, or no outcome is written any more. The batch in hand stays
				// for the next turn, unless a stop has timed out: then it stays RUNNING for recovery.
				if (this.stopped && System.nanoTime() - this.giveUpAt > 0) {
					return;
				}
				try {
					logger.error("The completer failed; going on in 100 ms", ex);
					Thread.sleep(100);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
				}
				catch (Throwable again) {
					// Nothing more to do about it here.
				}
			}
		}
	}

	private void writeUntilStopped() {
		while (true) {
			if (this.batch.isEmpty()) {
				Ended first;
				try {
					first = this.queue.poll(100, TimeUnit.MILLISECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					first = this.queue.poll();
				}
				if (first == null) {
					if (this.stopped || Thread.currentThread().isInterrupted()) {
						return;
					}
					continue;
				}
				this.batch.add(first);
				this.queue.drainTo(this.batch, BATCH - 1);
			}
			try {
				write(this.batch);
			}
			catch (RuntimeException ex) {
				logger.error("Could not record the outcome of {}; they stay RUNNING until they are handed back",
						describe(this.batch), ex);
			}
			this.batch.forEach((ended) -> this.held.letGo(ended.row().id()));
			this.batch.clear();
		}
	}

	/**
	 * Write what is still waiting, then stop: called once the workers have ended.
	 * @param timeout how long to keep retrying a failing write
	 */
	void stop(Duration timeout) {
		this.giveUpAt = System.nanoTime() + timeout.toNanos();
		this.stopped = true;
		this.stopping.countDown();
	}

	/**
	 * Write a batch until it commits, or until the shutdown timeout has passed. An outage is
	 * logged once when the batch first fails and once when it is written, never per try.
	 */
	private void write(List<Ended> batch) {
		Duration backoff = Duration.ofMillis(50);
		long lostAt = 0;
		int fullHeap = 0;
		while (true) {
			String cause;
			try {
				Map<Long, String> written = this.table.endMany(this.nodeId,
						batch.stream().map(Ended::outcome).toList());
				if (lostAt != 0) {
					logger.info("Recorded the outcome of {} {} ms late", describe(batch),
							(System.nanoTime() - lostAt) / 1_000_000);
				}
				batch.forEach((ended) -> observe(ended, written.get(ended.row().id())));
				if (batch.stream().anyMatch((ended) -> "PENDING".equals(ended.outcome().status()))) {
					this.retried.run();
				}
				return;
			}
			catch (DataAccessException ex) {
				if (isRefused(ex)) {
					refused(batch, ex);
					return;
				}
				cause = "while the database is unreachable: " + ex.getMostSpecificCause();
			}
			catch (OutOfMemoryError ex) {
				// Another task filled the heap for a moment; when it fails, its memory is free
				// again. The outcomes are still true: write them again, a few times.
				if (++fullHeap > FULL_HEAP_TRIES) {
					logger.error("Could not record the outcome of {} while the heap is full; they stay RUNNING"
							+ " until they are handed back as strays", describe(batch));
					return;
				}
				cause = "while the heap is full";
			}
			if (System.nanoTime() - this.giveUpAt > 0) {
				logger.error("Could not record the outcome of {} before the shutdown timeout; they stay"
						+ " RUNNING until this node is seen dead and they are handed back", describe(batch));
				return;
			}
			if (lostAt == 0) {
				lostAt = System.nanoTime();
				logger.warn("Cannot record the outcome of {} {}; trying again until it can be", describe(batch), cause);
			}
			else {
				logger.debug("Still cannot record the outcome of {}, trying again in {} ms", describe(batch),
						backoff.toMillis());
			}
			pause(backoff);
			backoff = Wakeup.min(backoff.multipliedBy(2), MAX_BACKOFF);
		}
	}

	private static String describe(List<Ended> batch) {
		TaskRow first = batch.get(0).row();
		String task = "task " + first.id() + " (" + first.name() + ")";
		return (batch.size() == 1) ? task : task + " and " + (batch.size() - 1) + " more";
	}

	/**
	 * The database itself refused the statement, not the connection: find the outcome it
	 * refuses, and record a failure that it accepts instead.
	 */
	private void refused(List<Ended> batch, DataAccessException ex) {
		if (batch.size() > 1) {
			batch.forEach((ended) -> write(List.of(ended)));
			return;
		}
		Ended ended = batch.get(0);
		TaskRow row = ended.row();
		if (ended.replacement()) {
			logger.error("Could not record that task {} ({}) failed either", row.id(), row.name(), ex);
			return;
		}
		logger.error("The outcome of task {} ({}) was refused by the database", row.id(), row.name(), ex);
		TaskError error = new TaskError(ex.getClass().getName(),
				"The task ended, but the database refused its outcome: " + ex.getMostSpecificCause().getMessage(), null);
		TaskOutcomeTable.Outcome failure = new TaskOutcomeTable.Outcome(row.id(), row.attempt(), "FAILURE", null,
				this.json.writeError(error), Duration.ZERO);
		write(List.of(new Ended(row, failure, ended.runTime(), true)));
	}

	private static boolean isRefused(DataAccessException ex) {
		// A lost connection is a resource failure, non-transient to Spring, but worth a retry.
		return ex instanceof NonTransientDataAccessException && !(ex instanceof NonTransientDataAccessResourceException);
	}

	private void observe(Ended ended, @Nullable String status) {
		TaskRow row = ended.row();
		if (status == null) {
			logger.warn("Task {} ({}) ended as {}, but its attempt {} was no longer running on this node; not recorded",
					row.id(), row.name(), ended.outcome().status(), row.attempt());
			return;
		}
		if ("CANCELLED".equals(status) && !status.equals(ended.outcome().status())) {
			logger.info("Task {} ({}) failed attempt {} after a cancel was requested: cancelled, not retried",
					row.id(), row.name(), row.attempt());
		}
		TaskObserver.Outcome outcome = outcomeOf(status);
		try {
			this.observer.ended(row.name(), row.queue(), outcome, ended.runTime());
		}
		catch (RuntimeException ex) {
			logger.warn("Task observer failed for task {} ({})", row.id(), row.name(), ex);
		}
	}

	/**
	 * How an attempt ended, by the status its outcome writes.
	 * @param status the status written
	 * @return the outcome
	 */
	static TaskObserver.Outcome outcomeOf(String status) {
		return switch (status) {
			case "SUCCESS" -> TaskObserver.Outcome.SUCCESS;
			case "PENDING" -> TaskObserver.Outcome.RETRY;
			case "CANCELLED" -> TaskObserver.Outcome.CANCELLED;
			default -> TaskObserver.Outcome.FAILURE;
		};
	}

	private void pause(Duration backoff) {
		try {
			if (this.stopped) {
				Thread.sleep(backoff.toMillis());
			}
			else {
				// Cut short by stop(), so that a stopping node tries again at once.
				this.stopping.await(backoff.toMillis(), TimeUnit.MILLISECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.giveUpAt = System.nanoTime();
		}
	}

	/**
	 * An outcome waiting to be written.
	 *
	 * @param row the task, as claimed
	 * @param outcome how it ended
	 * @param runTime how long the attempt ran
	 * @param replacement whether this is the failure written in place of a refused outcome
	 */
	record Ended(TaskRow row, TaskOutcomeTable.Outcome outcome, Duration runTime, boolean replacement) {

	}

	static TaskOutcomeTable.Outcome success(TaskRow row, @Nullable String result) {
		return new TaskOutcomeTable.Outcome(row.id(), row.attempt(), "SUCCESS", result, null, Duration.ZERO);
	}

	static TaskOutcomeTable.Outcome failure(TaskRow row, @Nullable String result, String error) {
		return new TaskOutcomeTable.Outcome(row.id(), row.attempt(), "FAILURE", result, error, Duration.ZERO);
	}

	static TaskOutcomeTable.Outcome cancelled(TaskRow row, @Nullable String result, @Nullable String error) {
		return new TaskOutcomeTable.Outcome(row.id(), row.attempt(), "CANCELLED", result, error, Duration.ZERO);
	}

	static TaskOutcomeTable.Outcome retry(TaskRow row, String error, Duration delay) {
		return new TaskOutcomeTable.Outcome(row.id(), row.attempt(), "PENDING", null, error, delay);
	}

}
