package dev.autotask.internal.supervisor;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repeats the supervisor's jobs on its threads, so that no failure stops one for good: a job
 * that keeps failing, as every job does while the database is down, is logged when it starts
 * failing and when it works again, not on every tick.
 */
final class Repeater {

	// Logged under the supervisor's name, where the jobs were logged before they moved here and
	// where a user who tunes the supervisor's logging looks for them.
	private static final Logger logger = LoggerFactory.getLogger(Supervisor.class);

	// The shortest wait between two runs of a job that sets its own: never a busy loop.
	private static final long MIN_WAIT_MILLIS = 10;

	// The jobs that failed on their last tick, with the time of their first failure.
	private final Map<String, Long> failingSince = new ConcurrentHashMap<>();

	/**
	 * A thread of its own for some of the jobs.
	 * @param name the thread's name
	 * @return the thread, as an executor
	 */
	static ScheduledExecutorService thread(String name) {
		return Executors.newSingleThreadScheduledExecutor((runnable) -> new Thread(runnable, name));
	}

	/**
	 * Run a job now and again a fixed wait after each run ends.
	 * @param executor the thread
	 * @param what the job, as in "could not ..."
	 * @param action the job
	 * @param interval the wait
	 */
	void repeat(ScheduledExecutorService executor, String what, Runnable action, Duration interval) {
		long millis = Math.max(interval.toMillis(), 1);
		executor.scheduleWithFixedDelay(() -> runQuietly(what, action), 0, millis, TimeUnit.MILLISECONDS);
	}

	/**
	 * Run a job now and again after each wait it returns; the fallback wait follows a tick that
	 * failed.
	 * @param executor the thread
	 * @param what the job, as in "could not ..."
	 * @param action the job, which returns how long to wait before its next run
	 * @param fallback the wait after a run that failed
	 */
	void repeatAfterWait(ScheduledExecutorService executor, String what, Supplier<Duration> action,
			Duration fallback) {
		executor.execute(new Runnable() {

			@Override
			public void run() {
				Duration[] wait = { fallback };
				runQuietly(what, () -> wait[0] = action.get());
				try {
					executor.schedule(this, Math.max(wait[0].toMillis(), MIN_WAIT_MILLIS), TimeUnit.MILLISECONDS);
				}
				catch (RejectedExecutionException ex) {
					// Stopped.
				}
			}

		});
	}

	/**
	 * Run a job as {@link #repeat} does, but only on the ticks where a condition holds (this node
	 * leads, say). A tick skipped because the condition does not hold is neither a failure nor a
	 * recovery.
	 * @param executor the thread
	 * @param condition whether to run the job on a tick
	 * @param what the job, as in "could not ..."
	 * @param action the job
	 * @param interval the wait
	 */
	void repeatWhile(ScheduledExecutorService executor, BooleanSupplier condition, String what, Runnable action,
			Duration interval) {
		long millis = Math.max(interval.toMillis(), 1);
		executor.scheduleWithFixedDelay(() -> {
			if (condition.getAsBoolean()) {
				runQuietly(what, action);
			}
		}, 0, millis, TimeUnit.MILLISECONDS);
	}

	/**
	 * Run one tick of a job, logging a failure rather than throwing it.
	 * @param what the job, as in "could not ..."
	 * @param action the job
	 */
	void runQuietly(String what, Runnable action) {
		try {
			runLogged(what, action);
		}
		catch (Error ex) {
			// Thrown by the logging of a failure, while the heap is still full: losing the log line
			// is better than losing the job.
		}
	}

	/**
	 * Run one tick of a repeated job. An {@code Error} is caught too: one that escaped would
	 * cancel the job for good (so says {@code scheduleWithFixedDelay}), and a node that no
	 * longer heartbeats is declared dead while it still runs its tasks. A job that keeps
	 * failing is logged when it starts failing and when it works again, not on every tick.
	 */
	private void runLogged(String what, Runnable action) {
		try {
			action.run();
			Long since = this.failingSince.remove(what);
			if (since != null) {
				logger.info("Could {} again after {} ms", what, (System.nanoTime() - since) / 1_000_000);
			}
		}
		catch (RuntimeException | Error ex) {
			if (this.failingSince.putIfAbsent(what, System.nanoTime()) == null) {
				logger.warn("Could not {}; trying again every tick until it works: {}", what, ex.toString());
			}
			else {
				logger.debug("Still could not {}: {}", what, ex.toString());
			}
		}
	}

	/**
	 * Stop a thread's jobs, waiting a little for the one running.
	 * @param executor the thread, or {@code null} if it never started
	 */
	static void shutdown(@Nullable ScheduledExecutorService executor) {
		if (executor == null) {
			return;
		}
		executor.shutdownNow();
		try {
			executor.awaitTermination(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
