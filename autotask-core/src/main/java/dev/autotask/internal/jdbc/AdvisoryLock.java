package dev.autotask.internal.jdbc;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A PostgreSQL advisory lock held until the current transaction ends, taken by a statement of
 * its own: the transaction's next statement takes its snapshot after the lock, so it sees every
 * transaction that held the lock before. (Taken inside the statement that reads, the lock would
 * be granted after that statement's snapshot, which could miss the previous holder's commit.)
 * What the claims of limited queues and keyed tasks, and a start unique for a period, serialize
 * on.
 */
final class AdvisoryLock {

	private static final String TAKE = "SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))";

	private AdvisoryLock() {
	}

	/**
	 * Wait for the lock of a key and hold it until the transaction ends; call it inside one.
	 * @param jdbc the transaction's client
	 * @param key the key, named for the table and what it serializes
	 */
	static void take(JdbcClient jdbc, String key) {
		jdbc.sql(TAKE).param("key", key).query((rs, row) -> 1).list();
	}

}
