package dev.autotask.internal.engine;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import dev.autotask.internal.backoff.Backoff;
import dev.autotask.internal.jdbc.TaskRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Writes an attempt's outcome from its worker, trying again for as long as the database cannot
 * be reached. A task whose outcome is lost stays RUNNING on this node, and a node that comes
 * back heartbeats again, so nothing would ever rescue it: the write waits for the database
 * instead, holding its worker. Trying again is safe, since every outcome statement applies only
 * while the attempt is still RUNNING here: a write that committed before the connection
 * dropped, or a task rescued meanwhile, makes it return {@code false}. It gives up, and leaves
 * the row to the hand-back or the rescue, only when the engine stops.
 *
 * <p>
 * An {@code OutOfMemoryError} met while the outcome is built or written (another task filled
 * the heap for a moment, and freeing it takes that task's failure) does not change the
 * outcome either: the write is tried again a few times, rather than a failure recorded for a
 * task that succeeded.
 */
final class OutcomeWriter {

	private static final Logger logger = LoggerFactory.getLogger(OutcomeWriter.class);

	private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

	// Enough to outlast one attempt of a task that fills the heap (about 16 s of back-off).
	private static final int FULL_HEAP_TRIES = 8;

	private final BooleanSupplier stopping;

	/**
	 * Create a writer.
	 * @param stopping whether the engine stops: then a write that cannot be made is given up
	 */
	OutcomeWriter(BooleanSupplier stopping) {
		this.stopping = stopping;
	}

	/**
	 * Write an outcome, trying again while the database is away or the heap full.
	 * @param row the task, as claimed
	 * @param write writes the outcome: whether it applied
	 * @return whether it applied
	 * @throws DataAccessException if the database refused the write, or was away when the
	 * engine stopped
	 * @throws OutOfMemoryError if the heap stayed full
	 */
	boolean write(TaskRow row, BooleanSupplier write) {
		long lostAt = 0;
		int fullHeap = 0;
		for (int failures = 1;; failures++) {
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
				if (!ConnectionLoss.matches(ex) || this.stopping.getAsBoolean()) {
					throw ex;
				}
				lost = ex;
			}
			catch (OutOfMemoryError ex) {
				// Another task filled the heap for a moment; when it fails, its memory is free again.
				if (++fullHeap > FULL_HEAP_TRIES || this.stopping.getAsBoolean()) {
					throw ex;
				}
				lost = null;
			}
			if (lostAt == 0) {
				lostAt = System.nanoTime();
				// Once per outcome, not per try.
				logger.warn("Cannot record the outcome of task {} ({}) {}; trying again until it can be: {}", row.id(),
						row.name(), (lost != null) ? "while the database is unreachable" : "while the heap is full",
						(lost != null) ? ConnectionLoss.describe(lost) : "OutOfMemoryError");
			}
			try {
				Thread.sleep(BACKOFF.delay(failures).toMillis());
			}
			catch (InterruptedException interrupted) {
				// Interrupted by the shutdown: leave the row to the hand-back.
				Thread.currentThread().interrupt();
				if (lost != null) {
					throw lost;
				}
				throw new IllegalStateException("Interrupted while the heap was full", interrupted);
			}
		}
	}

}
