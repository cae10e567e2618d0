package dev.autotask.jdbc;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The SQL of {@code autotask_queue}, the queues paused across all nodes, and the counts of
 * tasks per queue and status.
 */
public final class QueueTable {

	private static final String COUNT = """
			SELECT queue, status, count(*) FROM %s GROUP BY queue, status""";

	private static final String FIND_PAUSED = "SELECT name FROM %s WHERE paused ORDER BY name";

	// A resumed queue's tasks are due at once: wake the nodes up rather than leave them to the
	// next poll. NOTIFY is sent when the transaction commits.
	private static final String SET_PAUSED = """
			WITH changed AS (
				INSERT INTO %s (name, paused, updated_at) VALUES (:name, :paused, now())
				ON CONFLICT (name) DO UPDATE SET paused = EXCLUDED.paused, updated_at = now())
			SELECT CASE WHEN :paused THEN NULL ELSE pg_notify(:channel, '') END""";

	private final JdbcClient jdbc;

	private final String count;

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
		this.count = COUNT.formatted(names.task());
		this.findPaused = FIND_PAUSED.formatted(names.queue());
		this.setPaused = SET_PAUSED.formatted(names.queue());
		this.channel = names.channel();
	}

	/**
	 * Count tasks by queue and status.
	 * @return the counts, by queue, then by status
	 */
	public Map<String, Map<String, Long>> count() {
		Map<String, Map<String, Long>> counts = new TreeMap<>();
		this.jdbc.sql(this.count)
			.query((rs) -> {
				counts.computeIfAbsent(rs.getString(1), (queue) -> new TreeMap<>()).put(rs.getString(2), rs.getLong(3));
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
	 * Pause or resume a queue on every node.
	 * @param queue the queue
	 * @param paused whether to pause it
	 */
	public void setPaused(String queue, boolean paused) {
		this.jdbc.sql(this.setPaused)
			.param("name", queue)
			.param("paused", paused)
			.param("channel", this.channel)
			.query((rs, row) -> 1)
			.list();
	}

}
