package dev.autotask.internal.jdbc;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;

import javax.sql.DataSource;

import dev.autotask.QueuePoint;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The SQL of {@code autotask_queue_minute}: each queue's ended tasks, depth and oldest age per
 * owner and minute, on the database clock. The table is created by
 * {@code V12__queue_minute.sql}.
 */
public final class QueueMinuteTable {

	// Each node adds what it counted since its last flush to the minute the database is in: a
	// node's counts land in the minute they are flushed in, at most a heartbeat after the tasks ended.
	private static final String ADD_MANY = """
			INSERT INTO %s AS queue_minute (owner, queue, minute, succeeded, failed)
			SELECT owner, queue, date_trunc('minute', now()), succeeded, failed
			FROM unnest(:owners::text[], :queues::text[], :succeeded::bigint[], :failed::bigint[])
				AS counted (owner, queue, succeeded, failed)
			ON CONFLICT (owner, queue, minute) DO UPDATE
				SET succeeded = queue_minute.succeeded + EXCLUDED.succeeded, failed = queue_minute.failed + EXCLUDED.failed""";

	// One bucket of :stepSeconds per row, the newest (the one now() is in) last, each summing the
	// minutes that start in it; buckets are aligned on the epoch, so that a bucket holds the same
	// minutes whenever it is read. Depth and age are the bucket's highest, so that a spike shows in
	// the day's view too. Reads the primary key's range for the owner and queue.
	private static final String FIND = """
			WITH bucket AS (
				SELECT to_timestamp((floor(extract(epoch FROM now()) / :stepSeconds) - step) * :stepSeconds) AS start
				FROM generate_series(0, :count - 1) AS step)
			SELECT bucket.start, coalesce(sum(queue_minute.succeeded), 0), coalesce(sum(queue_minute.failed), 0),
				max(queue_minute.depth), max(queue_minute.oldest_pending_ms)
			FROM bucket
			LEFT JOIN %s AS queue_minute
				ON queue_minute.owner = :owner
				AND queue_minute.queue = :queue
				AND queue_minute.minute >= bucket.start
				AND queue_minute.minute < bucket.start + :stepSeconds * interval '1 second'
			GROUP BY bucket.start
			ORDER BY bucket.start""";

	// A day and an hour, so that the day's view is whole even when it is read a little later
	// than the leader pruned.
	private static final String PRUNE = "DELETE FROM %s WHERE minute < now() - interval '25 hours'";

	// The due pending tasks of every owner and queue (the count the page's queues show, per owner),
	// and, as empty, each queue that was busy in the minutes before and has none due now: its
	// chart falls to zero rather than stopping at its last depth. A queue idle and empty for two
	// samples is not written again until it is busy.
	private static final String SAMPLE = """
			WITH due AS (
				SELECT owner, queue, count(*) AS depth,
					CAST(extract(epoch FROM now() - min(run_at)) * 1000 AS bigint) AS oldest_pending_ms
				FROM %1$s
				WHERE status = 'PENDING'
					AND run_at <= now()
				GROUP BY owner, queue),
			recent AS (
				SELECT DISTINCT owner, queue
				FROM %2$s
				WHERE minute >= date_trunc('minute', now()) - interval '2 minutes'
					AND (depth > 0 OR succeeded > 0 OR failed > 0))
			INSERT INTO %2$s AS queue_minute (owner, queue, minute, depth, oldest_pending_ms)
			SELECT coalesce(due.owner, recent.owner), coalesce(due.queue, recent.queue), date_trunc('minute', now()),
				coalesce(due.depth, 0), greatest(coalesce(due.oldest_pending_ms, 0), 0)
			FROM due
			FULL JOIN recent ON recent.owner = due.owner AND recent.queue = due.queue
			ON CONFLICT (owner, queue, minute) DO UPDATE
				SET depth = EXCLUDED.depth, oldest_pending_ms = EXCLUDED.oldest_pending_ms""";

	private final JdbcClient jdbc;

	private final String addMany;

	private final String find;

	private final String prune;

	private final String sample;

	/**
	 * Create the table's SQL.
	 * @param dataSource the database
	 * @param names the table names
	 */
	public QueueMinuteTable(DataSource dataSource, TableNames names) {
		this.jdbc = JdbcClient.create(dataSource);
		String table = names.queueMinute();
		this.addMany = ADD_MANY.formatted(table);
		this.find = FIND.formatted(table);
		this.prune = PRUNE.formatted(table);
		this.sample = SAMPLE.formatted(names.task(), table);
	}

	/**
	 * Add ended tasks to the counts of the current minute, in one statement.
	 * @param counts the tasks ended per owner and queue
	 */
	public void addMany(List<Count> counts) {
		int size = counts.size();
		String[] owners = new String[size];
		String[] queues = new String[size];
		Long[] succeeded = new Long[size];
		Long[] failed = new Long[size];
		for (int i = 0; i < size; i++) {
			Count count = counts.get(i);
			owners[i] = count.owner();
			queues[i] = count.queue();
			succeeded[i] = count.succeeded();
			failed[i] = count.failed();
		}
		this.jdbc.sql(this.addMany)
			.param("owners", owners)
			.param("queues", queues)
			.param("succeeded", succeeded)
			.param("failed", failed)
			.update();
	}

	/**
	 * One owner's points of a queue, oldest first, up to the bucket the database clock is in.
	 * @param owner the owner
	 * @param queue the queue
	 * @param step the length of each bucket, whole minutes
	 * @param count how many buckets
	 * @return a point per bucket, with nothing counted in those without rows
	 */
	public List<QueuePoint> find(String owner, String queue, Duration step, int count) {
		return this.jdbc.sql(this.find)
			.param("owner", owner)
			.param("queue", queue)
			.param("stepSeconds", step.toSeconds())
			.param("count", count)
			.query((rs, row) -> {
				long depth = rs.getLong(4);
				boolean sampled = !rs.wasNull();
				long oldest = rs.getLong(5);
				return new QueuePoint(rs.getObject(1, OffsetDateTime.class).toInstant(), step, rs.getLong(2),
						rs.getLong(3), sampled ? depth : null, rs.wasNull() ? null : Duration.ofMillis(oldest));
			})
			.list();
	}

	/**
	 * Delete the minutes older than a day and an hour.
	 * @return how many rows were deleted
	 */
	public int prune() {
		return this.jdbc.sql(this.prune).update();
	}

	/**
	 * Record the depth and oldest age of every busy queue in the current minute.
	 * @return how many queues were sampled
	 */
	public int sample() {
		return this.jdbc.sql(this.sample).update();
	}

	/**
	 * The tasks of one owner and queue that ended on a node since its last flush.
	 *
	 * @param owner the owner
	 * @param queue the queue
	 * @param succeeded how many succeeded
	 * @param failed how many failed for good
	 */
	public record Count(String owner, String queue, long succeeded, long failed) {

	}

}
