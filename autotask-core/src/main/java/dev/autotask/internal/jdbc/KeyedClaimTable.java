package dev.autotask.internal.jdbc;

import java.util.Collection;
import java.util.List;

import javax.sql.DataSource;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The SQL of {@code autotask_task} that claims the tasks with a concurrency key (V18): at most a
 * key's limit of them run at once across the cluster. The claims of keyed tasks take turns,
 * whichever node makes them (an advisory lock per table, taken in a statement before the claim,
 * so that the claim's snapshot sees every claim before it); each takes, of the earliest due keyed
 * tasks, those whose key has room left over the tasks of the key already running (claimed ahead
 * or not). Tasks without a key are claimed by {@link TaskClaimTable}, which leaves these out.
 */
public final class KeyedClaimTable {

	// The earliest due keyed tasks looked at by one claim: keys beyond them wait for the next.
	private static final int LOOKED_AT = 1000;

	private static final String ANY_DUE = """
			SELECT EXISTS (SELECT 1 FROM %s
				WHERE status = 'PENDING' AND concurrency_key IS NOT NULL AND run_at <= now())""";

	// Ahead of the claim: each due keyed task's place among its key's, and the key's running
	// tasks; chosen are those within their key's limit.
	private static final String CHOSEN = """
			due AS (
				SELECT id, concurrency_key, concurrency_limit, priority, run_at,
					row_number() OVER (PARTITION BY concurrency_key ORDER BY priority DESC, run_at, id) AS place
				FROM (SELECT id, concurrency_key, concurrency_limit, priority, run_at FROM %1$s
					WHERE status = 'PENDING' AND concurrency_key IS NOT NULL AND run_at <= now()
						AND name = ANY(:names) AND %2$s
					ORDER BY priority DESC, run_at, id
					LIMIT %3$d) AS earliest),
			running AS (
				SELECT concurrency_key, count(*) AS n FROM %1$s
				WHERE status = 'RUNNING' AND concurrency_key IN (SELECT concurrency_key FROM due)
				GROUP BY concurrency_key),
			chosen AS (
				SELECT due.id FROM due LEFT JOIN running USING (concurrency_key)
				WHERE due.place <= due.concurrency_limit - coalesce(running.n, 0)),
			""";

	private final JdbcClient jdbc;

	private final TransactionTemplate transaction;

	private final String anyDue;

	private final String claim;

	private final String lock;

	/**
	 * Create the statements for one schema.
	 * @param dataSource the database
	 * @param names the table names
	 */
	public KeyedClaimTable(DataSource dataSource, TableNames names) {
		this.jdbc = JdbcClient.create(dataSource);
		this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		this.anyDue = ANY_DUE.formatted(names.task());
		String chosen = CHOSEN.formatted(names.task(), TaskClaimTable.QUEUES, LOOKED_AT);
		this.claim = TaskClaimTable.CLAIM.formatted(names.task(), names.queue(), "id IN (SELECT id FROM chosen)",
				chosen);
		this.lock = names.task() + "/concurrency-keys";
	}

	/**
	 * Claim due keyed tasks of some queues for a node, each while its key has room.
	 * @param node the claiming node
	 * @param taskNames the tasks the node can run
	 * @param queues the queues
	 * @param exceptQueues whether to claim from every queue but these instead
	 * @param limit the most to claim
	 * @return the claimed tasks, now RUNNING on the node
	 */
	public List<TaskRow> claim(String node, Collection<String> taskNames, Collection<String> queues,
			boolean exceptQueues, int limit) {
		if (!this.jdbc.sql(this.anyDue).query(Boolean.class).single()) {
			return List.of();
		}
		List<TaskRow> rows = this.transaction.execute((status) -> {
			AdvisoryLock.take(this.jdbc, this.lock);
			return TaskClaimTable.claimOfQueues(this.jdbc, this.claim, node, taskNames, queues, exceptQueues, limit);
		});
		return (rows != null) ? rows : List.of();
	}

}
