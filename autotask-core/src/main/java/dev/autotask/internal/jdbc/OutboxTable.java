package dev.autotask.internal.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The SQL of {@code autotask_outbox}, the task events waiting to be published.
 *
 * <p>
 * Rows are written by the statement that ends tasks (see {@code TaskEvents}), one row for the
 * events of all the tasks it ends (V27; a row written before holds one). A relay claims them
 * in a transaction of its own, publishes them while it holds their locks, and deletes them in
 * that same transaction: a row is gone only once its deletion commits, after it was published.
 * The transaction must stay open from {@link #claim} to its commit, so the relay's statements
 * take its connection, with auto-commit off. It is not bound to the thread as a Spring-managed
 * transaction would be: the sinks run while it is open, and an application listener's own
 * statements must not join it.
 */
public final class OutboxTable {

	// Sent with the claim, first in each relay transaction, for the statements after it. Its
	// commit does not wait for the WAL flush: a deletion lost in a server crash only has its events
	// published again, which a sink must bear anyway, since a relay may fail between publishing and
	// committing. And no sequential scan where an index serves: an outbox is a queue, which until a
	// vacuum holds far more dead rows than live ones, so the planner, which counts only the live,
	// took it for a small table and read all of it to delete a batch by id (300 ms a batch with
	// autovacuum off).
	private static final String SETTINGS = "SET LOCAL synchronous_commit = off;\nSET LOCAL enable_seqscan = off;\n";

	// Oldest first. SKIP LOCKED lets the relays of several nodes claim side by side: a row
	// another relay is publishing is passed over, not waited for, and never published twice.
	// A row holds the events of one statement (V27), a few hundred from the completer: rows are
	// taken while the events before them number fewer than the limit, so a batch holds at least
	// one row and never more than a row past the limit. Rows locked but not taken are released at
	// commit. Columns in the order mapRow reads them; the time as microseconds since the epoch,
	// which costs the driver far less than a timestamp.
	private static final String CLAIM = """
			WITH claimed AS (
				SELECT id, coalesce(cardinality(task_ids), 1) AS events
				FROM %1$s
				ORDER BY id
				LIMIT ?
				FOR UPDATE SKIP LOCKED),
			taken AS (
				SELECT id FROM (SELECT id, sum(events) OVER (ORDER BY id) - events AS before FROM claimed) AS counted
				WHERE before < ?)
			SELECT event.outbox_id, event.id, event.task_id, event.name, event.owner, event.outcome,
				event.result::text, event.error::text, (extract(epoch FROM event.created_at) * 1000000)::bigint,
				event.attempts, event.sinks_done
			FROM %2$s AS event
			WHERE event.outbox_id IN (SELECT id FROM taken)
			ORDER BY event.outbox_id, event.id""";

	private static final String COUNT = "SELECT coalesce(sum(coalesce(cardinality(task_ids), 1)), 0) FROM %s";

	private static final String DELETE_MANY = "DELETE FROM %s WHERE id = ANY(?)";

	// Every event of the batch went through the sinks before the one that failed, now or earlier.
	private static final String RETRY_MANY = """
			UPDATE %s SET attempts = attempts + 1, sinks_done = greatest(sinks_done, ?)
			WHERE id = ANY(?)""";

	private static final RowMapper<OutboxRow> ROW_MAPPER = OutboxTable::mapRow;

	private final JdbcClient jdbc;

	private final String claim;

	private final String count;

	private final String deleteMany;

	private final String retryMany;

	/**
	 * Create the table's SQL for one schema.
	 * @param dataSource the database
	 * @param names the table names
	 */
	public OutboxTable(DataSource dataSource, TableNames names) {
		this.jdbc = JdbcClient.create(dataSource);
		String table = names.outbox();
		this.claim = SETTINGS + CLAIM.formatted(table, names.outboxEvent());
		this.count = COUNT.formatted(table);
		this.deleteMany = DELETE_MANY.formatted(table);
		this.retryMany = RETRY_MANY.formatted(table);
	}

	/**
	 * Lock the oldest events that no other transaction holds, until this transaction ends.
	 * @param connection the relay's connection, in a transaction
	 * @param limit how many events to take, at most, but for the last row taken
	 * @return the events, in id order
	 * @throws SQLException if the database refuses
	 */
	public List<OutboxRow> claim(Connection connection, int limit) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(this.claim)) {
			statement.setInt(1, limit);
			statement.setInt(2, limit);
			return FirstResultRows.rows(statement, ROW_MAPPER, this.claim);
		}
	}

	/**
	 * How many events wait in the outbox, whether claimed or not.
	 * @return the count
	 */
	public long count() {
		return this.jdbc.sql(this.count).query(Long.class).single();
	}

	/**
	 * Delete published events.
	 * @param connection the relay's connection, in the transaction that claimed them
	 * @param ids the rows that hold them ({@link OutboxRow#outboxId()})
	 * @return how many rows were deleted
	 * @throws SQLException if the database refuses
	 */
	public int deleteMany(Connection connection, Collection<Long> ids) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(this.deleteMany)) {
			statement.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
			return statement.executeUpdate();
		}
	}

	/**
	 * Count a failed attempt to publish events, which stay for the next attempt, and record
	 * which sinks already took them.
	 * @param connection the relay's connection, in the transaction that claimed them
	 * @param ids the rows that hold them ({@link OutboxRow#outboxId()})
	 * @param sinksDone how many sinks, in order, took every one of them
	 * @return how many rows were updated
	 * @throws SQLException if the database refuses
	 */
	public int retryMany(Connection connection, Collection<Long> ids, int sinksDone) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(this.retryMany)) {
			statement.setInt(1, sinksDone);
			statement.setArray(2, connection.createArrayOf("bigint", ids.toArray()));
			return statement.executeUpdate();
		}
	}

	private static OutboxRow mapRow(ResultSet rs, int row) throws SQLException {
		long micros = rs.getLong(9);
		return new OutboxRow(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getString(5),
				rs.getString(6), rs.getString(7), rs.getString(8), Instant.EPOCH.plus(micros, ChronoUnit.MICROS),
				rs.getInt(10), rs.getInt(11));
	}

	/**
	 * An event as stored.
	 *
	 * @param outboxId the row that holds it, with the other events of the statement that wrote it
	 * @param id the event's id
	 * @param taskId the task's id
	 * @param name the task's name
	 * @param owner the task's owner
	 * @param outcome {@code SUCCESS}, {@code FAILURE} or {@code CANCELLED}
	 * @param result the result JSON, if any
	 * @param error the error JSON, if any
	 * @param createdAt when the task ended
	 * @param attempts failed attempts to publish its row so far
	 * @param sinksDone how many sinks, in order, already took its row
	 */
	public record OutboxRow(long outboxId, long id, long taskId, String name, String owner, String outcome,
			@Nullable String result, @Nullable String error, Instant createdAt, int attempts, int sinksDone) {

	}

}
