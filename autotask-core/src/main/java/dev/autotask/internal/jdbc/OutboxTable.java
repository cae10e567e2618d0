package dev.autotask.internal.jdbc;

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
 * Rows are written by the statement that ends a task (see {@code TaskEvents}). A relay claims them
 * in a transaction of its own, publishes them while it holds their locks, and deletes them in
 * that same transaction: a row is gone only once its deletion commits, after it was published.
 * The transaction must stay open from {@link #claim} to its commit, so give this class a
 * {@link DataSource} that hands out one connection with auto-commit off.
 */
public final class OutboxTable {

	// First in each relay transaction, for the statements after it. Its commit does not wait for
	// the WAL flush: a deletion lost in a server crash only has its events published again, which
	// a sink must bear anyway, since a relay may fail between publishing and committing. And no
	// sequential scan where an index serves: an outbox is a queue, which until a vacuum holds far
	// more dead rows than live ones, so the planner, which counts only the live, took it for a
	// small table and read all of it to delete a batch by id (300 ms a batch with autovacuum off).
	private static final String SETTINGS = """
			SELECT set_config('synchronous_commit', 'off', true), set_config('enable_seqscan', 'off', true)""";

	// Oldest first. SKIP LOCKED lets the relays of several nodes claim side by side: a row
	// another relay is publishing is passed over, not waited for, and never published twice.
	// Columns in the order mapRow reads them; the time as microseconds since the epoch, which
	// costs the driver far less than a timestamp.
	private static final String CLAIM = """
			SELECT id, task_id, name, owner, outcome, result::text, error::text,
				(extract(epoch FROM created_at) * 1000000)::bigint, attempts, sinks_done
			FROM %s
			ORDER BY id
			LIMIT :limit
			FOR UPDATE SKIP LOCKED""";

	private static final String COUNT = "SELECT count(*) FROM %s";

	private static final String DELETE_MANY = "DELETE FROM %s WHERE id = ANY(:ids)";

	// Every event of the batch went through the sinks before the one that failed, now or earlier.
	private static final String RETRY_MANY = """
			UPDATE %s SET attempts = attempts + 1, sinks_done = greatest(sinks_done, :sinksDone)
			WHERE id = ANY(:ids)""";

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
		this.claim = CLAIM.formatted(table);
		this.count = COUNT.formatted(table);
		this.deleteMany = DELETE_MANY.formatted(table);
		this.retryMany = RETRY_MANY.formatted(table);
	}

	/**
	 * Lock the oldest events that no other transaction holds, until this transaction ends.
	 * @param limit the most to claim
	 * @return the events, in id order
	 */
	public List<OutboxRow> claim(int limit) {
		this.jdbc.sql(SETTINGS).query().singleRow();
		return this.jdbc.sql(this.claim).param("limit", limit).query(ROW_MAPPER).list();
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
	 * @param ids the events
	 * @return how many were deleted
	 */
	public int deleteMany(Collection<Long> ids) {
		return this.jdbc.sql(this.deleteMany).param("ids", ids.toArray(Long[]::new)).update();
	}

	/**
	 * Count a failed attempt to publish events, which stay for the next attempt, and record
	 * which sinks already took them.
	 * @param ids the events
	 * @param sinksDone how many sinks, in order, took every one of them
	 * @return how many were updated
	 */
	public int retryMany(Collection<Long> ids, int sinksDone) {
		return this.jdbc.sql(this.retryMany)
			.param("ids", ids.toArray(Long[]::new))
			.param("sinksDone", sinksDone)
			.update();
	}

	private static OutboxRow mapRow(ResultSet rs, int row) throws SQLException {
		long micros = rs.getLong(8);
		return new OutboxRow(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
				rs.getString(6), rs.getString(7), Instant.EPOCH.plus(micros, ChronoUnit.MICROS), rs.getInt(9),
				rs.getInt(10));
	}

	/**
	 * An event as stored.
	 *
	 * @param id the event's id
	 * @param taskId the task's id
	 * @param name the task's name
	 * @param owner the task's owner
	 * @param outcome {@code SUCCESS} or {@code FAILURE}
	 * @param result the result JSON, if any
	 * @param error the error JSON, if any
	 * @param createdAt when the task ended
	 * @param attempts failed attempts to publish it so far
	 * @param sinksDone how many sinks, in order, already took it
	 */
	public record OutboxRow(long id, long taskId, String name, String owner, String outcome, @Nullable String result,
			@Nullable String error, Instant createdAt, int attempts, int sinksDone) {

	}

}
