package dev.autotask.testsupport;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Counts task rows straight from the table, by status and by the node that ran them, for
 * assertions on what the engines left behind.
 */
public final class TaskCounts {

	private final JdbcClient jdbc;

	private final String table;

	/**
	 * Create a counter.
	 * @param postgres the test's database
	 */
	public TaskCounts(PostgresExtension postgres) {
		this.jdbc = postgres.jdbc();
		this.table = postgres.schema() + ".autotask_task";
	}

	/**
	 * How many tasks have any of these statuses.
	 * @param statuses the statuses, as stored ({@code "SUCCESS"})
	 * @return the count
	 */
	public long withStatus(String... statuses) {
		return this.jdbc.sql("SELECT count(*) FROM " + this.table + " WHERE status = ANY(?)")
			.param(statuses)
			.query(Long.class)
			.single();
	}

	/**
	 * How many tasks each status has; statuses without tasks are left out.
	 * @return the counts by status, in name order
	 */
	public Map<String, Long> byStatus() {
		return this.jdbc.sql("SELECT status, count(*) FROM " + this.table + " GROUP BY status ORDER BY status")
			.query(TaskCounts::toMap);
	}

	/**
	 * How many tasks of one status each node ran last.
	 * @param status the status, as stored
	 * @return the counts by node id, in id order, with a {@code null} key for tasks no node ran
	 */
	public Map<String, Long> byNode(String status) {
		return this.jdbc.sql("SELECT node_id, count(*) FROM " + this.table
				+ " WHERE status = ? GROUP BY node_id ORDER BY node_id")
			.param(status)
			.query(TaskCounts::toMap);
	}

	private static Map<String, Long> toMap(ResultSet rs) throws SQLException {
		Map<String, Long> counts = new LinkedHashMap<>();
		while (rs.next()) {
			counts.put(rs.getString(1), rs.getLong(2));
		}
		return counts;
	}

}
