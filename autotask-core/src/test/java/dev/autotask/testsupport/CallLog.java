package dev.autotask.testsupport;

import java.time.Duration;

import javax.sql.DataSource;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A table of the test's own where tasks record when they start and end, on the database's
 * clock, whatever node runs them: what the tests of limits across the cluster count from.
 * Each event is "start:&lt;what&gt;" or "end:&lt;what&gt;".
 */
public final class CallLog {

	private final PostgresExtension postgres;

	private final String table;

	/**
	 * Create the table afresh in the test's schema.
	 * @param postgres the database
	 * @param name the table's name
	 */
	public CallLog(PostgresExtension postgres, String name) {
		this.postgres = postgres;
		this.table = postgres.schema() + "." + name;
		postgres.jdbc().sql("DROP TABLE IF EXISTS " + this.table).update();
		postgres.jdbc()
			.sql("CREATE TABLE " + this.table
					+ " (task integer, node text, event text, at timestamptz DEFAULT clock_timestamp())")
			.update();
	}

	/**
	 * A call as a task makes it: its start, its work (it lasts, so that calls overlap if a limit
	 * lets them), and its end, recorded through the node's own pool.
	 * @param dataSource the node's pool
	 * @param node the node
	 * @param what what the call is of (a queue, a key)
	 * @param task the task's number
	 * @param work how long the call lasts
	 * @return nothing, as a task's result
	 */
	public Object call(DataSource dataSource, String node, String what, int task, Duration work) {
		record(dataSource, task, node, "start:" + what);
		try {
			Thread.sleep(work.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		record(dataSource, task, node, "end:" + what);
		return null;
	}

	/**
	 * The most calls of something (a LIKE pattern) between their start and end at any instant:
	 * +1 at each start, -1 at each end, summed in time order (an end before a start of the same
	 * instant).
	 * @param what the pattern
	 * @return the most at once
	 */
	public long mostAtOnce(String what) {
		return this.postgres.jdbc().sql("""
				SELECT coalesce(max(running), 0) FROM (
					SELECT sum(CASE WHEN event LIKE 'start:%%' THEN 1 ELSE -1 END)
						OVER (ORDER BY at, event LIKE 'start:%%', task) AS running
					FROM %s WHERE event LIKE 'start:' || :what OR event LIKE 'end:' || :what) AS timeline"""
			.formatted(this.table)).param("what", what).query(Long.class).single();
	}

	/**
	 * How many nodes started calls of something.
	 * @param what the pattern
	 * @return the nodes
	 */
	public long nodes(String what) {
		return this.postgres.jdbc()
			.sql("SELECT count(DISTINCT node) FROM " + this.table + " WHERE event LIKE 'start:' || :what")
			.param("what", what)
			.query(Long.class)
			.single();
	}

	/**
	 * How many calls of something started in a row: at a rate limit's pace, that tells its span.
	 * @param what the pattern
	 * @return the starts
	 */
	public long starts(String what) {
		return startsQuery("SELECT count(*) FROM starts", what);
	}

	/**
	 * The most starts of calls of something in any second, of the windows of one second that
	 * open at a start.
	 * @param what the pattern
	 * @return the most starts in a second
	 */
	public long mostStartsInASecond(String what) {
		return startsQuery("""
				SELECT max((SELECT count(*) FROM starts AS later WHERE later.at >= s.at
					AND later.at < s.at + interval '1 second')) FROM starts AS s""", what);
	}

	/**
	 * The fewest starts of calls of something in a whole second counted from the first start,
	 * the first and the last second left out.
	 * @param what the pattern
	 * @return the fewest starts in a whole second
	 */
	public long fewestStartsInAWholeSecond(String what) {
		return startsQuery("""
				SELECT min(n) FROM (
					SELECT floor(extract(epoch FROM at - first)) AS second, count(*) AS n
					FROM starts, (SELECT min(at) AS first FROM starts) AS origin GROUP BY 1) AS per_second
				WHERE second > 0 AND second < (SELECT floor(extract(epoch FROM max(at) - min(at))) FROM starts)""", what);
	}

	/**
	 * The whole seconds between the first and the last start of calls of something.
	 * @param what the pattern
	 * @return the seconds
	 */
	public long secondsOfStarts(String what) {
		return startsQuery("SELECT floor(extract(epoch FROM max(at) - min(at)))::bigint FROM starts", what);
	}

	// A query of "starts", the start events of calls of something.
	private long startsQuery(String sql, String what) {
		String starts = "WITH starts AS (SELECT at FROM " + this.table + " WHERE event LIKE 'start:' || :what) ";
		Long value = this.postgres.jdbc().sql(starts + sql).param("what", what).query(Long.class).single();
		return (value != null) ? value : 0;
	}

	private void record(DataSource dataSource, int task, String node, String event) {
		JdbcClient.create(dataSource)
			.sql("INSERT INTO " + this.table + " (task, node, event) VALUES (?, ?, ?)")
			.params(task, node, event)
			.update();
	}

}
