package dev.autotask.testsupport;

import javax.sql.DataSource;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What a session's own statistics, not yet reported to the server, say of a table. Within one
 * transaction, the difference between two readings is what the statements between them did: how
 * a statement read a table, whatever plan it got.
 */
public final class SessionStatistics {

	private SessionStatistics() {
	}

	/**
	 * How many times the session read a table of the current schema from end to end.
	 * @param session one connection, in the transaction to watch
	 * @param table the table's name
	 * @return the count so far
	 */
	public static long sequentialScans(DataSource session, String table) {
		return JdbcClient.create(session).sql("""
				SELECT seq_scan FROM pg_stat_xact_user_tables
				WHERE schemaname = current_schema() AND relname = ?""").param(table).query(Long.class).single();
	}

	/**
	 * How many rows index scans of the session's statements have fetched from a table itself so
	 * far (not those an index-only scan found all visible, which it read from the index alone), as
	 * the statistics show them once the session's are flushed (run it on a session in
	 * auto-commit).
	 * @param session one connection
	 * @param table the table's name, with its schema
	 * @return the count so far
	 */
	public static long rowsFetched(DataSource session, String table) {
		return statistic(session,
				"SELECT coalesce(idx_tup_fetch, 0) FROM pg_stat_user_tables WHERE relid = CAST(:name AS regclass)", table);
	}

	/**
	 * How many rows of a table the session's statements have read so far, by sequential and
	 * index scans, as the statistics show them once the session's are flushed (not within a
	 * transaction: run it on a session in auto-commit).
	 * @param session one connection
	 * @param table the table's name, with its schema
	 * @return the count so far
	 */
	public static long rowsRead(DataSource session, String table) {
		return statistic(session, """
				SELECT coalesce(table_stats.seq_tup_read, 0) + coalesce(sum(index_stats.idx_tup_read), 0)
				FROM pg_stat_user_tables AS table_stats
				LEFT JOIN pg_stat_user_indexes AS index_stats ON index_stats.relid = table_stats.relid
				WHERE table_stats.relid = CAST(:name AS regclass)
				GROUP BY table_stats.seq_tup_read""", table);
	}

	/**
	 * How many entries of one index the session's statements have read so far, as the statistics
	 * show them once the session's are flushed (run it on a session in auto-commit).
	 * @param session one connection
	 * @param index the index's name, with its schema
	 * @return the count so far
	 */
	public static long indexEntriesRead(DataSource session, String index) {
		return statistic(session,
				"SELECT coalesce(idx_tup_read, 0) FROM pg_stat_user_indexes WHERE indexrelid = CAST(:name AS regclass)",
				index);
	}

	/**
	 * How many pages of one index the session's statements have read so far, from the buffer
	 * cache or not, as the statistics show them once the session's are flushed (run it on a
	 * session in auto-commit). Unlike entries read, these count the pages of entries a scan
	 * stepped over, dead ones included.
	 * @param session one connection
	 * @param index the index's name, with its schema
	 * @return the count so far
	 */
	public static long indexPagesRead(DataSource session, String index) {
		return statistic(session, """
				SELECT coalesce(idx_blks_read, 0) + coalesce(idx_blks_hit, 0) FROM pg_statio_user_indexes
				WHERE indexrelid = CAST(:name AS regclass)""", index);
	}

	// One count of the server's statistics of a relation, once the session's own are reported to
	// the server and the snapshot of them is fresh.
	private static long statistic(DataSource session, String sql, String relation) {
		JdbcClient jdbc = JdbcClient.create(session);
		jdbc.sql("SELECT pg_stat_force_next_flush()").query((rs, row) -> 1).list();
		jdbc.sql("SELECT pg_stat_clear_snapshot()").query((rs, row) -> 1).list();
		return jdbc.sql(sql).param("name", relation).query(Long.class).single();
	}

}
