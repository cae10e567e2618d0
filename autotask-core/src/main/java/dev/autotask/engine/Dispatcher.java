package dev.autotask.engine;

import java.time.Duration;
import java.util.List;
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
 * The claim loop: claims as many due tasks as there are free worker slots, in one statement,
 * hands them to the workers, and sleeps until a notification, a freed slot, the next due time
 * or the poll interval, whichever comes first.
 *
 * <p>
 * A slot is taken before a task is handed over and given back when it ends, so the node never
 * claims more than it can start at once: a claimed task is never left waiting in memory while
 * other nodes are idle.
 */
final class Dispatcher implements Runnable {

	private static final Logger logger = LoggerFactory.getLogger(Dispatcher.class);

	// A due task we failed to claim is locked by another node's claim; look again soon.
	private static final Duration RECHECK = Duration.ofMillis(25);

	private final TaskTable table;

	private final TaskRegistry registry;

	private final TaskRunner runner;

	private final Executor workers;

	private final Semaphore slots;

	private final Wakeup wakeup;

	private final EngineSettings settings;

	private volatile boolean running = true;

	Dispatcher(TaskTable table, TaskRegistry registry, TaskRunner runner, Executor workers, Semaphore slots,
			Wakeup wakeup, EngineSettings settings) {
		this.table = table;
		this.registry = registry;
		this.runner = runner;
		this.workers = workers;
		this.slots = slots;
		this.wakeup = wakeup;
		this.settings = settings;
	}

	@Override
	public void run() {
		Duration backoff = Duration.ofMillis(100);
		while (this.running) {
			try {
				this.wakeup.await(dispatchOnce());
				backoff = Duration.ofMillis(100);
			}
			catch (DataAccessException ex) {
				logger.warn("Cannot claim tasks, retrying in {} ms: {}", backoff.toMillis(), ex.getMostSpecificCause().toString());
				if (!sleep(backoff)) {
					return;
				}
				backoff = Wakeup.min(backoff.multipliedBy(2), this.settings.pollInterval());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	/**
	 * Claim and start what is due, then say how long to sleep.
	 */
	Duration dispatchOnce() {
		Set<String> names = this.registry.names();
		int free = this.slots.availablePermits();
		if (free == 0 || names.isEmpty()) {
			return this.settings.pollInterval();
		}
		List<TaskRow> rows = this.table.claim(this.settings.nodeId(), names, free);
		for (TaskRow row : rows) {
			this.slots.acquireUninterruptibly();
			this.workers.execute(() -> this.runner.run(row));
		}
		if (rows.size() == free) {
			// There may be more: look again as soon as a slot is free.
			return Duration.ZERO;
		}
		return this.table.untilNext(names)
			.map((wait) -> (wait.isNegative() || wait.isZero()) ? RECHECK : wait)
			.map((wait) -> Wakeup.min(wait, this.settings.pollInterval()))
			.orElse(this.settings.pollInterval());
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

}
