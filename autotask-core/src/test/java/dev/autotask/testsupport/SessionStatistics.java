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

}
