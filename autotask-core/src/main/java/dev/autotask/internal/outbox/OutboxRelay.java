package dev.autotask.internal.outbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import javax.sql.DataSource;

import dev.autotask.TaskEvent;
import dev.autotask.TaskEventSink;
import dev.autotask.TaskStatus;
import dev.autotask.internal.backoff.Backoff;
import dev.autotask.internal.jdbc.OutboxTable.OutboxRow;
import dev.autotask.internal.jdbc.OutboxTable;
import dev.autotask.internal.jdbc.TableNames;
import dev.autotask.internal.json.TaskJson;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the task events waiting in the outbox: claims the oldest batch, hands it to each
 * sink in order, and deletes it once every sink took it, all in one transaction of its own.
 * It runs on every node with an engine; the claim skips rows another node holds, so the nodes
 * share the work and never publish the same event at the same time.
 *
 * <p>
 * It wakes when a task's end commits (the engine passes on the {@code outbox} notification)
 * and at each poll interval. While a sink fails, it backs off, from
 * {@link RelaySettings#minBackoff()} doubling up to {@link RelaySettings#maxBackoff()}, and
 * notifications do not cut the wait short; the outage is logged once when it starts and once
 * when it ends.
 */
public final class OutboxRelay implements Runnable {

	private static final Logger logger = LoggerFactory.getLogger(OutboxRelay.class);

	private final DataSource dataSource;

	private final OutboxTable outbox;

	private final List<TaskEventSink> sinks;

	private final TaskJson json;

	private final RelaySettings settings;

	private final RelaySignal signal = new RelaySignal();

	private final Backoff backoff;

	private volatile boolean running = true;

	private @Nullable Outage outage;

	/**
	 * Create a relay.
	 * @param dataSource the database holding the outbox; the relay takes one connection per batch
	 * @param names the table names
	 * @param sinks where events go, in order
	 * @param json the JSON codec, to read stored errors
	 * @param settings how the relay runs
	 */
	public OutboxRelay(DataSource dataSource, TableNames names, List<TaskEventSink> sinks, TaskJson json,
			RelaySettings settings) {
		if (sinks.isEmpty()) {
			throw new IllegalArgumentException("An outbox relay needs at least one sink");
		}
		this.dataSource = dataSource;
		this.outbox = new OutboxTable(dataSource, names);
		this.sinks = List.copyOf(sinks);
		this.json = json;
		this.settings = settings;
		this.backoff = new Backoff(settings.minBackoff(), settings.maxBackoff());
	}

	@Override
	public void run() {
		int failures = 0;
		while (this.running && !Thread.currentThread().isInterrupted()) {
			try {
				int published = runOnce();
				recovered();
				failures = 0;
				if (published < this.settings.batchSize()) {
					this.signal.await(this.settings.pollInterval());
				}
			}
			catch (Exception | Error ex) {
				// An Error too (an OutOfMemoryError while the heap is full): the relay must outlive
				// it, or events wait in the outbox until the node restarts.
				if (!this.running) {
					break;
				}
				try {
					Duration backoff = this.backoff.delay(failures + 1);
					failed(ex, backoff);
					// Not woken by notifications: while a sink is down, every task that ends would
					// otherwise trigger another attempt.
					this.signal.pause(backoff);
					failures++;
				}
				catch (Error again) {
					// The heap is still full: the log line is lost, the relay goes on.
				}
			}
		}
		drain();
	}

	/**
	 * Claim one batch, publish it to every sink, and delete it; or, if a sink fails, count the
	 * failed attempt on the batch, which stays for the next. Call it from one thread at a time:
	 * the relay's own, or a test's instead of it.
	 * @return how many events were published and deleted
	 * @throws SinkFailedException if a sink failed
	 * @throws SQLException if the outbox could not be read or written
	 */
	public int runOnce() throws SinkFailedException, SQLException {
		// A connection of its own, in a transaction not bound to the thread: the sinks run while it
		// is open, and a listener's own statements must not join it.
		try (Connection connection = this.dataSource.getConnection()) {
			connection.setAutoCommit(false);
			try {
				int published = relay(connection);
				connection.commit();
				return published;
			}
			catch (SinkFailedException ex) {
				// The failed attempt, and the sinks that took the rows, were recorded on them: keep
				// that, whichever node publishes them next, and release them.
				connection.commit();
				throw ex;
			}
			catch (SQLException | RuntimeException ex) {
				rollback(connection);
				throw ex;
			}
		}
	}

	/**
	 * Wake the relay: a task's end has committed.
	 */
	public void wake() {
		this.signal.signal();
	}

	/**
	 * Stop after the batch in hand; a last batch is published on the way out unless a sink is
	 * failing.
	 */
	public void stop() {
		this.running = false;
		this.signal.stop();
	}

	private int relay(Connection connection) throws SinkFailedException, SQLException {
		List<OutboxRow> rows = this.outbox.claim(connection, this.settings.batchSize());
		if (rows.isEmpty()) {
			return 0;
		}
		List<TaskEvent> events = rows.stream().map(this::toEvent).toList();
		// The rows that hold the events: a row holds those of one statement, and goes as one.
		List<Long> ids = rows.stream().map(OutboxRow::outboxId).distinct().toList();
		for (int index = 0; index < this.sinks.size(); index++) {
			int sink = index;
			// Not to a sink that took the event before a later sink failed, on any node.
			List<TaskEvent> pending = IntStream.range(0, rows.size())
				.filter((row) -> rows.get(row).sinksDone() <= sink)
				.mapToObj(events::get)
				.toList();
			if (pending.isEmpty()) {
				continue;
			}
			try {
				this.sinks.get(sink).publish(pending);
			}
			catch (Exception ex) {
				if (ex instanceof InterruptedException) {
					Thread.currentThread().interrupt();
				}
				this.outbox.retryMany(connection, ids, sink);
				throw new SinkFailedException(this.sinks.get(sink), ex);
			}
		}
		this.outbox.deleteMany(connection, ids);
		return rows.size();
	}

	private TaskEvent toEvent(OutboxRow row) {
		return new TaskEvent(row.id(), row.taskId(), row.name(), row.owner(), TaskStatus.valueOf(row.outcome()),
				row.result(), this.json.readError(row.error()), row.createdAt());
	}

	private void failed(Throwable ex, Duration backoff) {
		String what = (ex instanceof SinkFailedException failure)
				? "sink " + failure.sink() + " failed: " + describe(failure.getCause())
				: "the outbox cannot be read or written: " + describe(ex);
		if (this.outage == null) {
			this.outage = new Outage(System.nanoTime());
			logger.warn("Task events cannot be published, {}. They wait in the outbox and are retried with back-off "
					+ "(up to {} ms between attempts); logged once until publishing works again", what,
					this.settings.maxBackoff().toMillis());
		}
		else {
			logger.debug("Task events still cannot be published, retrying in {} ms: {}", backoff.toMillis(), what, ex);
		}
	}

	private void recovered() {
		Outage outage = this.outage;
		if (outage != null) {
			this.outage = null;
			logger.info("Task events are published again, after {} ms; those that waited go out oldest first",
					Duration.ofNanos(System.nanoTime() - outage.startNanos()).toMillis());
		}
	}

	private void drain() {
		if (this.outage != null) {
			return;
		}
		try {
			runOnce();
		}
		catch (Exception ex) {
			logger.debug("Could not publish a last batch of task events on stopping; they wait in the outbox", ex);
		}
	}

	private static void rollback(Connection connection) {
		try {
			connection.rollback();
		}
		catch (SQLException ex) {
			logger.debug("Rollback failed; closing the connection ends the transaction", ex);
		}
	}

	private static String describe(@Nullable Throwable ex) {
		if (ex == null) {
			return "unknown";
		}
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return (root != ex) ? ex + " (caused by " + root + ")" : ex.toString();
	}

	private record Outage(long startNanos) {
	}

}
