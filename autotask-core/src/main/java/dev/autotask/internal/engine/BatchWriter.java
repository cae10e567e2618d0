package dev.autotask.internal.engine;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.autotask.TaskError;
import dev.autotask.engine.TaskObserver;
import dev.autotask.internal.backoff.Backoff;
import dev.autotask.internal.engine.Completer.Ended;
import dev.autotask.internal.jdbc.TaskOutcomeTable;
import dev.autotask.internal.jdbc.TaskRow;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.internal.supervisor.OutcomeCounts;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;

/**
 * Writes one batch of outcomes for the {@link Completer}, in one statement, until it commits.
 * A batch that cannot be written for want of a database, or of heap, is written again after a
 * back-off, for as long as the engine runs and, once it stops, until the shutdown timeout;
 * what is still unwritten then stays {@code RUNNING} for the hand-back or the orphan rescuer.
 * The outage is logged once when the batch first fails and once when it is written, never per
 * try. An outcome the database refuses (not the connection) is found by writing the batch's
 * outcomes one by one, and recorded as a failure saying so. Observers hear of each end once
 * its batch has committed, and the queues' {@link OutcomeCounts counts} count it then.
 */
final class BatchWriter {

	private static final Logger logger = LoggerFactory.getLogger(BatchWriter.class);

	private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(5));

	private static final int FULL_HEAP_TRIES = 5;

	private final TaskOutcomeTable table;

	private final String nodeId;

	private final TaskJson json;

	private final TaskObserver observer;

	private final Runnable retried;

	private final OutcomeCounts counts;

	private final CountDownLatch stopping = new CountDownLatch(1);

	private volatile long giveUpAt = Long.MAX_VALUE;

	private volatile boolean stopped;

	/**
	 * Create a writer.
	 * @param retried called after a batch with a retry has committed
	 * @param counts where each end is counted once it has committed
	 */
	BatchWriter(TaskOutcomeTable table, String nodeId, TaskJson json, TaskObserver observer, Runnable retried,
			OutcomeCounts counts) {
		this.table = table;
		this.nodeId = nodeId;
		this.json = json;
		this.observer = observer;
		this.retried = retried;
		this.counts = counts;
	}

	/**
	 * Stop trying for ever: a failing write is given up once {@code timeout} has passed, and a
	 * back-off under way ends at once, so that a stopping node tries again at once.
	 * @param timeout how long to keep retrying a failing write
	 */
	void stop(Duration timeout) {
		this.giveUpAt = System.nanoTime() + timeout.toNanos();
		this.stopped = true;
		this.stopping.countDown();
	}

	boolean stopped() {
		return this.stopped;
	}

	/**
	 * Whether a stop has timed out: nothing is written any more.
	 */
	boolean timedOut() {
		return this.stopped && System.nanoTime() - this.giveUpAt > 0;
	}

	/**
	 * Write a batch until it commits, or until the shutdown timeout has passed.
	 * @param batch the outcomes
	 */
	void write(List<Ended> batch) {
		// Set while the batch cannot be written: the outage is logged when it starts and when it ends.
		long lostAt = 0;
		int failures = 0;
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
				if (!ConnectionLoss.matches(ex)) {
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
			failures++;
			if (lostAt == 0) {
				lostAt = System.nanoTime();
				logger.warn("Cannot record the outcome of {} {}; trying again until it can be", describe(batch), cause);
			}
			else {
				logger.debug("Still cannot record the outcome of {}, trying again in {} ms", describe(batch),
						BACKOFF.delay(failures).toMillis());
			}
			pause(BACKOFF.delay(failures));
		}
	}

	static String describe(List<Ended> batch) {
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
		TaskObserver.Outcome outcome = Completer.outcomeOf(status);
		Completer.count(this.counts, row, outcome);
		try {
			this.observer.ended(row.name(), row.queue(), outcome, ended.runTime());
		}
		catch (RuntimeException ex) {
			logger.warn("Task observer failed for task {} ({})", row.id(), row.name(), ex);
		}
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

}
