package dev.autotask.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;

import dev.autotask.jdbc.TaskRow;
import dev.autotask.jdbc.TaskTable;
import dev.autotask.task.TaskRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;

/**
 * The claim loop: for each lane, claims as many due tasks as the lane has free worker slots,
 * in one statement, hands them to the workers, and sleeps until a notification, a freed slot,
 * the next due time or the poll interval, whichever comes first.
 *
 * <p>
 * A queue with a concurrency of its own is a lane with its own slots, so a busy queue can
 * never starve it; every other queue shares the default lane. A slot is taken before a task
 * is handed over and given back when it ends, so the node never claims more than it can start
 * at once: a claimed task is never left waiting in memory while other nodes are idle.
 */
final class Dispatcher implements Runnable {

	private static final Logger logger = LoggerFactory.getLogger(Dispatcher.class);

	// A due task we failed to claim is locked by another node's claim; look again soon.
	private static final Duration RECHECK = Duration.ofMillis(25);

	private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

	private final TaskTable table;

	private final TaskRegistry registry;

	private final TaskRunner runner;

	private final Executor workers;

	private final List<Lane> lanes;

	private final Wakeup wakeup;

	private final EngineSettings settings;

	private volatile boolean running = true;

	Dispatcher(TaskTable table, TaskRegistry registry, TaskRunner runner, Executor workers, Wakeup wakeup,
			EngineSettings settings) {
		this.table = table;
		this.registry = registry;
		this.runner = runner;
		this.workers = workers;
		this.wakeup = wakeup;
		this.settings = settings;
		this.lanes = lanes(settings);
	}

	private static List<Lane> lanes(EngineSettings settings) {
		Map<String, Integer> own = settings.queueConcurrency();
		List<Lane> lanes = new ArrayList<>();
		lanes.add(new Lane(List.copyOf(own.keySet()), true, new Semaphore(settings.workers())));
		own.forEach((queue, concurrency) -> lanes.add(new Lane(List.of(queue), false, new Semaphore(concurrency))));
		return lanes;
	}

	/**
	 * How many worker threads the lanes need in all.
	 */
	static int threads(EngineSettings settings) {
		return settings.workers() + settings.queueConcurrency().values().stream().mapToInt(Integer::intValue).sum();
	}

	@Override
	public void run() {
		while (this.running) {
			try {
				// Returns when stopped or interrupted.
				claimUntilStopped();
				return;
			}
			catch (Error ex) {
				// Thrown by the handling of an earlier failure, while the heap is still full: start
				// over after a moment rather than let the thread die.
				if (!sleep(Duration.ofSeconds(1))) {
					return;
				}
			}
		}
	}

	private void claimUntilStopped() {
		Duration backoff = FIRST_BACKOFF;
		// Set while claims fail: the outage is logged when it starts and when it ends, not per try.
		long failingSince = 0;
		int failures = 0;
		while (this.running) {
			try {
				Duration wait = dispatchOnce();
				if (failingSince != 0) {
					logger.info("Claiming tasks again after {} ms and {} failed tries",
							(System.nanoTime() - failingSince) / 1_000_000, failures);
					failingSince = 0;
					failures = 0;
				}
				backoff = FIRST_BACKOFF;
				this.wakeup.await(wait);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException | Error ex) {
				// Not only a lost database: whatever a claim throws (an OutOfMemoryError while the
				// heap is full, say) must not end this thread, or the node would stop claiming
				// for good while it still heartbeats. A notification cuts the back-off short.
				failures++;
				if (failingSince == 0) {
					failingSince = System.nanoTime();
					logger.warn("Cannot claim tasks; trying again with back-off up to {} until it works: {}",
							this.settings.pollInterval(), describe(ex));
				}
				else {
					logger.debug("Still cannot claim tasks, retrying in {} ms: {}", backoff.toMillis(), describe(ex));
				}
				if (!sleep(backoff)) {
					return;
				}
				backoff = Wakeup.min(backoff.multipliedBy(2), this.settings.pollInterval());
			}
		}
	}

	private static String describe(Throwable ex) {
		return (ex instanceof DataAccessException dae) ? dae.getMostSpecificCause().toString() : ex.toString();
	}

	/**
	 * Claim and start what is due, then say how long to sleep.
	 */
	Duration dispatchOnce() {
		Set<String> names = this.registry.names();
		if (names.isEmpty()) {
			return this.settings.pollInterval();
		}
		boolean more = false;
		boolean busy = false;
		for (Lane lane : this.lanes) {
			int free = lane.slots().availablePermits();
			if (free == 0) {
				busy = true;
				continue;
			}
			List<TaskRow> rows = this.table.claim(this.settings.nodeId(), names, lane.queues(), lane.except(), free);
			for (TaskRow row : rows) {
				lane.slots().acquireUninterruptibly();
				this.workers.execute(() -> run(lane, row));
			}
			// A full claim means there may be more: look again as soon as a slot is free.
			more |= (rows.size() == free);
		}
		if (more) {
			return Duration.ZERO;
		}
		if (busy) {
			// A lane with no free slot: its workers wake us when one ends.
			return this.settings.pollInterval();
		}
		return this.table.untilNext(names)
			.map((wait) -> (wait.isNegative() || wait.isZero()) ? RECHECK : wait)
			.map((wait) -> Wakeup.min(wait, this.settings.pollInterval()))
			.orElse(this.settings.pollInterval());
	}

	private void run(Lane lane, TaskRow row) {
		try {
			this.runner.run(row);
		}
		finally {
			lane.slots().release();
			this.wakeup.signal();
		}
	}

	void stop() {
		this.running = false;
		this.wakeup.signal();
	}

	private boolean sleep(Duration duration) {
		try {
			this.wakeup.await(duration);
			return this.running;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * Queues that share worker slots: either the listed queues, or every queue but them.
	 */
	private record Lane(List<String> queues, boolean except, Semaphore slots) {

	}

}
