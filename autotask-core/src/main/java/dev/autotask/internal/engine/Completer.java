package dev.autotask.internal.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.autotask.engine.TaskObserver;
import dev.autotask.internal.jdbc.TaskOutcomeTable;
import dev.autotask.internal.jdbc.TaskRow;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.internal.supervisor.OutcomeCounts;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * never dropped for a failed write: the {@link BatchWriter} writes the batch again after a
 * back-off until it commits or, once stopping, until the shutdown timeout; what is still
 * unwritten then stays {@code RUNNING} for the hand-back or the orphan rescuer. An outcome that
 * cannot even be built while the heap stays full is given up: its task is no longer
 * {@link HeldTasks held}, and the supervisor hands it back as a stray. An outcome the database
 * refuses (not the connection) is recorded as a failure saying so.
 */
final class Completer implements Runnable {

	/** The most outcomes written in one statement. */
	static final int BATCH = 500;

	// Outcomes waiting to be written: a worker handing over one more waits, so that the heap
	// stays bounded while the database is down.
	private static final int CAPACITY = 4 * BATCH;

	private static final Logger logger = LoggerFactory.getLogger(Completer.class);

	private final BatchWriter writer;

	private final Runnable retried;

	private final HeldTasks held;

	private final OutcomeCounts counts;

	private final BlockingQueue<Ended> queue = new LinkedBlockingQueue<>(CAPACITY);

	// The outcomes being written; only the completer's thread uses it.
	private final List<Ended> batch = new ArrayList<>(BATCH);

	/**
	 * Create a completer.
	 * @param retried called after a batch with a retry, or with an end of a queue limited across
	 * the cluster, has committed: the dispatcher, which had seen the task RUNNING, must look at
	 * when it is due, or claim in the slot it freed
	 * @param limitedQueues the queues limited across the cluster
	 * @param held where the tasks whose outcome is still to write are counted
	 * @param counts where the tasks that end for good are counted for the queues' charts, once
	 * their outcome has committed
	 */
	Completer(TaskOutcomeTable table, String nodeId, TaskJson json, TaskObserver observer, Runnable retried,
			Set<String> limitedQueues, HeldTasks held, OutcomeCounts counts) {
		this.writer = new BatchWriter(table, nodeId, json, observer, retried, limitedQueues, counts);
		this.retried = retried;
		this.held = held;
		this.counts = counts;
	}

	/**
	 * A completer that writes each outcome at once on the caller's thread, without retries, for
	 * runs with no threads of their own.
	 */
	static Completer onCallerThread(TaskOutcomeTable table, String nodeId, TaskJson json, TaskObserver observer) {
		// Counted for no chart: nothing flushes them.
		Completer completer = new Completer(table, nodeId, json, observer, () -> {
		}, Set.of(), new HeldTasks(), new OutcomeCounts());
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
		if (this.writer.stopped()) {
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
			this.writer.write(List.of(ended));
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
				if (this.writer.timedOut()) {
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
					if (this.writer.stopped() || Thread.currentThread().isInterrupted()) {
						return;
					}
					continue;
				}
				this.batch.add(first);
				this.queue.drainTo(this.batch, BATCH - 1);
			}
			try {
				this.writer.write(this.batch);
			}
			catch (RuntimeException ex) {
				logger.error("Could not record the outcome of {}; they stay RUNNING until they are handed back",
						BatchWriter.describe(this.batch), ex);
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
		this.writer.stop(timeout);
	}

	/**
	 * Say that the worker itself left its task pending for later (a snooze), once that
	 * committed: the dispatcher looks at when it is due, as after a retry.
	 */
	void leftPending() {
		this.retried.run();
	}

	/**
	 * Count an end written by the worker itself (a continuation, a cancelled snooze), as the
	 * batches count theirs: after it committed.
	 * @param row the task
	 * @param outcome how it ended
	 */
	void count(TaskRow row, TaskObserver.Outcome outcome) {
		count(this.counts, row, outcome);
	}

	// Only ends for good: a retry counts when its task ends, and a cancel is no throughput.
	static void count(OutcomeCounts counts, TaskRow row, TaskObserver.Outcome outcome) {
		if (outcome == TaskObserver.Outcome.SUCCESS || outcome == TaskObserver.Outcome.FAILURE) {
			counts.ended(row.owner(), row.queue(), outcome == TaskObserver.Outcome.SUCCESS);
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
