package dev.autotask.internal.engine;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

import dev.autotask.internal.jdbc.TaskClaimTable;
import dev.autotask.internal.jdbc.TaskRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker side of the {@link Dispatcher}'s lanes: hands a lane's buffered tasks to its free
 * slots, each on a worker thread that goes on with the lane's next buffered task once it has
 * run one, and gives its slot back when the buffer is empty.
 *
 * <p>
 * A worker wakes the dispatcher when its lane has room for another claim, and when it gives its
 * slot back. A task whose run ends in an {@link Error} the runner could not record (the heap full
 * throughout) is handed back to {@code PENDING}, as a rescue would, and the worker goes on.
 */
final class LaneWorkers {

	private static final Logger logger = LoggerFactory.getLogger(LaneWorkers.class);

	private final TaskRunner runner;

	private final Executor threads;

	private final HeldTasks held;

	private final Wakeup wakeup;

	private final TaskClaimTable table;

	private final String nodeId;

	// Whether the dispatcher still runs: once it stops, each worker ends the task it runs and
	// takes no more from the buffers.
	private final BooleanSupplier running;

	LaneWorkers(TaskRunner runner, Executor threads, HeldTasks held, Wakeup wakeup, TaskClaimTable table,
			String nodeId, BooleanSupplier running) {
		this.runner = runner;
		this.threads = threads;
		this.held = held;
		this.wakeup = wakeup;
		this.table = table;
		this.nodeId = nodeId;
		this.running = running;
	}

	/**
	 * Hand buffered tasks to free slots.
	 */
	void startBuffered(Lane lane) {
		while (!lane.buffer().isEmpty() && lane.slots().tryAcquire()) {
			TaskRow row = lane.buffer().poll();
			if (row == null) {
				lane.slots().release();
				return;
			}
			try {
				this.threads.execute(() -> run(lane, row));
			}
			catch (RuntimeException | Error ex) {
				// No thread took it (the heap full, say): it waits in the buffer for the next turn.
				lane.slots().release();
				lane.buffer().add(row);
				throw ex;
			}
		}
	}

	private void run(Lane lane, TaskRow first) {
		try {
			TaskRow row = first;
			while (row != null) {
				long started = System.nanoTime();
				try {
					this.runner.run(row);
				}
				catch (Error ex) {
					// The runner could not even record a failure (the heap full throughout): hand the
					// task back, as a rescue does, rather than leave it RUNNING on a node that lives
					// on. Then go on with the buffered tasks rather than die.
					logQuietly(row, ex);
					handBack(row);
				}
				finally {
					this.held.letGo(row.id());
				}
				lane.ran(System.nanoTime() - started);
				if (lane.room() >= lane.refill()) {
					// Room for another claim; meanwhile, go on with what is buffered. Not at every
					// task: waking the dispatcher for nothing costs a context switch each time.
					this.wakeup.signal();
				}
				row = this.running.getAsBoolean() ? lane.buffer().poll() : null;
			}
		}
		finally {
			lane.slots().release();
			this.wakeup.signal();
		}
	}

	/**
	 * Hand one task back to PENDING, trying for a few seconds while the heap is full. It may
	 * have run, so its attempt stays counted, with one more granted, as after a rescue; should
	 * this fail too, the task is a stray, which the supervisor hands back later.
	 */
	private void handBack(TaskRow row) {
		for (int tries = 0; tries < 10; tries++) {
			try {
				this.table.handBackMany(this.nodeId, List.of(row.id()));
				this.wakeup.signal();
				return;
			}
			catch (RuntimeException | Error ex) {
				try {
					Thread.sleep(500);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					return;
				}
				catch (Error again) {
					// Still full: try again.
				}
			}
		}
	}

	private static void logQuietly(TaskRow row, Error ex) {
		try {
			logger.error("Task {} ({}) ended in an error the runner could not record: {}", row.id(), row.name(),
					ex.toString());
		}
		catch (Error again) {
			// The heap is still full: nothing more to say.
		}
	}

}
