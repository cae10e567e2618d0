package dev.autotask.internal.jdbc;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The SQL of {@code autotask_queue}, the queues paused across all nodes, and the counts of
 * tasks per queue and status. The table is created by {@code V3__task_api.sql}.
 */
public final class QueueTable {

	// With the counts, how long the oldest due pending task of each queue has waited past its
	// time, in milliseconds on the database clock: the queue's latency. %2$s is the owner's
	// filter, or nothing for the totals of the cluster.
	private static final String COUNT = """
			SELECT queue, status, count(*),
				CAST(extract(epoch FROM now() - min(run_at) FILTER (WHERE status = 'PENDING' AND run_at <= now())) * 1000
					AS bigint)
			FROM %1$s
			%2$sGROUP BY queue, status""";

	private static final String FIND_PAUSED = "SELECT name FROM %s WHERE paused ORDER BY name";

	// Only a queue in use is stored: one this application's tasks are registered in, one paused
	// or resumed before, or one a task is in. Any other name was a typo or a probe.
	// A resumed queue's tasks are due at once: wake the nodes up rather than leave them to the
	// next poll. NOTIFY is sent when the transaction commits.
	private static final String SET_PAUSED = """
			WITH changed AS (
				INSERT INTO %1$s (name, paused, updated_at)
				SELECT :name, :paused, now()
				WHERE :registered
					OR EXISTS (SELECT 1 FROM %1$s WHERE name = :name)
					OR EXISTS (SELECT 1 FROM %2$s WHERE queue = :name)
				ON CONFLICT (name) DO UPDATE SET paused = EXCLUDED.paused, updated_at = now()
				RETURNING paused)
			SELECT CASE WHEN paused THEN NULL ELSE pg_notify(:channel, '') END
			FROM changed""";

	private final JdbcClient jdbc;

	private final String count;

	private final String countAll;

	private final String findPaused;

	private final String setPaused;

	private final String channel;

	/**
	 * Create the table's SQL.
	 * @param dataSource the database
	 * @param names the table names
	 */
	public QueueTable(DataSource dataSource, TableNames names) {
		this.jdbc = JdbcClient.create(dataSource);
		this.count = COUNT.formatted(names.task(), "WHERE owner = :owner\n");
		this.countAll = COUNT.formatted(names.task(), "");
		this.findPaused = FIND_PAUSED.formatted(names.queue());
		this.setPaused = SET_PAUSED.formatted(names.queue(), names.task());
		this.channel = names.channel();
	}

	/**
	 * Count one owner's tasks by queue and status.
	 * @param owner the owner
	 * @return the counts, by queue, then by status
	 */
	public Map<String, Counts> count(String owner) {
		return counts(this.jdbc.sql(this.count).param("owner", owner));
	}

	/**
	 * Count every owner's tasks by queue and status: totals of the cluster, for operators.
	 * @return the counts, by queue, then by status
	 */
	public Map<String, Counts> countAll() {
		return counts(this.jdbc.sql(this.countAll));
	}

	private static Map<String, Counts> counts(JdbcClient.StatementSpec statement) {
		Map<String, Counts> counts = new TreeMap<>();
		statement.query((rs) -> {
			Counts queue = counts.computeIfAbsent(rs.getString(1), (name) -> new Counts(new TreeMap<>()));
			queue.byStatus().put(rs.getString(2), rs.getLong(3));
			long waited = rs.getLong(4);
			if (!rs.wasNull()) {
				counts.put(rs.getString(1), new Counts(queue.byStatus(), Duration.ofMillis(Math.max(0, waited))));
			}
		});
		return counts;
	}

	/**
	 * The paused queues.
	 * @return their names
	 */
	public List<String> findPaused() {
		return this.jdbc.sql(this.findPaused).query(String.class).list();
	}

	/**
	 * Pause or resume a queue on every node, if it is in use: registered, paused or resumed
	 * before, or holding a task.
	 * @param queue the queue
	 * @param paused whether to pause it
	 * @param registered whether a task of this application is registered in it
	 * @return whether it was in use, and so changed; nothing is stored otherwise
	 */
	public boolean setPaused(String queue, boolean paused, boolean registered) {
		return !this.jdbc.sql(this.setPaused)
			.param("name", queue)
			.param("paused", paused)
			.param("registered", registered)
			.param("channel", this.channel)
			.query((rs, row) -> 1)
			.list()
			.isEmpty();
	}

	/**
	 * A queue's tasks counted by status.
	 *
	 * @param byStatus the counts by status name
	 * @param oldestPendingAge how long its oldest due pending task has waited, or {@code null}
	 * if none is due
	 */
	public record Counts(Map<String, Long> byStatus, @Nullable Duration oldestPendingAge) {

		Counts(Map<String, Long> byStatus) {
			this(byStatus, null);
		}

	}

}
