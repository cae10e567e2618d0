package dev.autotask.internal.engine;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import dev.autotask.internal.jdbc.TaskRow;
import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import org.springframework.dao.DataAccessException;

/**
 * Ends an attempt that runs past its task's timeout. Whoever ends an attempt first, the task or
 * the watchdog, says how it ended: at the timeout the watchdog records a failed attempt at once
 * and interrupts the worker, and whatever the attempt does afterwards is not recorded, since
 * every outcome is written only for the attempt that is still running.
 */
final class Watchdog {

	private static final Logger logger = LoggerFactory.getLogger(Watchdog.class);

	private final ScheduledExecutorService executor;

	private final TaskObservations observations;

	Watchdog(ScheduledExecutorService executor, TaskObservations observations) {
		this.executor = executor;
		this.observations = observations;
	}

	/**
	 * Start timing an attempt that runs on this thread.
	 * @param row the task, as claimed
	 * @param timeout its timeout, or {@code null} for none
	 * @param onTimeout records the timeout, on the watchdog's thread
	 * @return the attempt's deadline, to end once the task has ended
	 */
	Deadline start(TaskRow row, @Nullable Duration timeout, Consumer<TimeoutException> onTimeout) {
		AtomicBoolean ended = new AtomicBoolean();
		if (timeout == null) {
			return new Deadline(ended, null);
		}
		Thread worker = Thread.currentThread();
		Observation observation = this.observations.current();
		Runnable expire = () -> {
			if (ended.compareAndSet(false, true)) {
				MDC.put(TaskRunner.MDC_TASK_ID, Long.toString(row.id()));
				// The attempt's observation, in scope here too: the watchdog tags its outcome.
				try (Observation.Scope scope = (observation != null) ? observation.openScope() : null) {
					onTimeout.accept(new TimeoutException(
							"Attempt " + row.attempt() + " ran past its timeout of " + timeout + " and was interrupted"));
				}
				catch (DataAccessException ex) {
					logger.error("Could not record the timeout of task {} ({})", row.id(), row.name(), ex);
				}
				finally {
					MDC.remove(TaskRunner.MDC_TASK_ID);
				}
				worker.interrupt();
			}
		};
		return new Deadline(ended, this.executor.schedule(expire, timeout.toMillis(), TimeUnit.MILLISECONDS));
	}

	/**
	 * One attempt's deadline: ended once, by the task or by the watchdog.
	 */
	static final class Deadline {

		private final AtomicBoolean ended;

		private final @Nullable ScheduledFuture<?> expiry;

		private Deadline(AtomicBoolean ended, @Nullable ScheduledFuture<?> expiry) {
			this.ended = ended;
			this.expiry = expiry;
		}

		/**
		 * End the attempt from the task's side.
		 * @return whether the task ended it, and so records its outcome
		 */
		boolean end() {
			if (this.expiry != null) {
				this.expiry.cancel(false);
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
