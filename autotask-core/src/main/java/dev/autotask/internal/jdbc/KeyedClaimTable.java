package dev.autotask.internal.jdbc;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The SQL of {@code autotask_task} that claims the tasks with a concurrency key (V18): at most a
 * key's limit of them run at once across the cluster, and, where the key has a rate limit (V20),
 * at most one starts per interval. The claims of keyed tasks take turns, whichever node makes
 * them (an advisory lock per table, taken in a statement before the claim, so that the claim's
 * snapshot sees every claim before it); each takes, of the earliest due keyed tasks, those whose
 * key has room left over the tasks of the key already running (claimed ahead or not) and starts
 * left by its rate. Tasks without a key are claimed by {@link TaskClaimTable}, which leaves these
 * out; those of a queue limited across the cluster by {@link LimitedClaimTable}, which claims
 * them with the same pick.
 *
 * <p>
 * A key's rate is kept as the time its next task may start, in {@code autotask_key_rate}, as a
 * queue's is in {@code autotask_queue}: the claim takes one start per interval elapsed since then
 * (making up at most {@link LimitedClaimTable#CATCH_UP} of missed starts) and, in the same
 * statement, moves it on by one interval per task it claimed.
 */
public final class KeyedClaimTable {

	// The earliest due keyed tasks looked at by one claim: keys beyond them wait for the next.
	private static final int LOOKED_AT = 1000;

	// Whether any keyed task of some queues is due: the first in the claim's order, which only the
	// keyed tasks' index yields without a sort (run by IndexOrderedClaim). An EXISTS lets the
	// planner pick an index by statistics, and with those of a quiet queue it read every pending
	// task, every 100 ms, on every node.
	private static final String ANY_DUE = """
			SELECT count(*) > 0 FROM (SELECT 1 FROM %s
				WHERE status = 'PENDING' AND concurrency_key IS NOT NULL AND run_at <= now() AND %s
				ORDER BY priority DESC, run_at, id
				LIMIT 1) AS first""";

	// Ahead of the claim: each due keyed task's place among its key's, the key's running tasks,
	// and the starts its rate leaves; chosen are those within both. The clock is the statement's,
	// after the lock. %3$s narrows the tasks to some queues. Each step is computed once: inlined
	// into the claim's scan, the planner may run it again for every row it reads. The running
	// tasks are read in their keys' order, which only the index of running keyed tasks yields
	// without a sort (IndexOrderedClaim): left to statistics of a quiet queue, the planner read
	// them through the index of every active task, pending ones included.
	private static final String CHOSEN = """
			due AS (
				SELECT id, concurrency_key, concurrency_limit, key_rate_micros,
					row_number() OVER (PARTITION BY concurrency_key ORDER BY priority DESC, run_at, id) AS place
				FROM (SELECT id, concurrency_key, concurrency_limit, key_rate_micros, priority, run_at FROM %1$s
					WHERE status = 'PENDING' AND concurrency_key IS NOT NULL AND run_at <= now()
						AND name = ANY(:names) AND %3$s
					ORDER BY priority DESC, run_at, id
					LIMIT %4$d) AS earliest),
			running AS MATERIALIZED (
				SELECT concurrency_key, count(*) AS n FROM (
					SELECT concurrency_key FROM %1$s
					WHERE status = 'RUNNING' AND concurrency_key IS NOT NULL
						AND concurrency_key IN (SELECT concurrency_key FROM due)
					ORDER BY concurrency_key) AS keyed
				GROUP BY concurrency_key),
			rates AS (
				SELECT keyed.concurrency_key, keyed.micros,
					greatest(coalesce(rate.next_start, statement_timestamp()),
						statement_timestamp() - %5$d * interval '1 microsecond') AS base
				FROM (SELECT concurrency_key, max(key_rate_micros) AS micros FROM due
					WHERE key_rate_micros IS NOT NULL GROUP BY concurrency_key) AS keyed
				LEFT JOIN %2$s AS rate USING (concurrency_key)),
			chosen AS MATERIALIZED (
				SELECT due.id FROM due LEFT JOIN running USING (concurrency_key) LEFT JOIN rates USING (concurrency_key)
				WHERE due.place <= coalesce(due.concurrency_limit, 2147483647) - coalesce(running.n, 0)
					AND (rates.micros IS NULL
						OR due.place <= floor(extract(epoch FROM statement_timestamp() - rates.base) * 1000000 / rates.micros) + 1)),
			""";

	// After the claim: each rate-limited key's next start, one interval per task claimed.
	private static final String MOVE_RATES = """
			,
			moved AS (
				INSERT INTO %s AS rate (concurrency_key, next_start)
				SELECT claimed.concurrency_key, rates.base + count(*) * rates.micros * interval '1 microsecond'
				FROM claimed JOIN rates USING (concurrency_key)
				GROUP BY claimed.concurrency_key, rates.base, rates.micros
				ON CONFLICT (concurrency_key) DO UPDATE SET next_start = excluded.next_start)
			""";

	// The chosen tasks, at most LOOKED_AT, are read by their key, whatever the backlog of tasks
	// without a key in the claim index: a list of ids rather than a join the planner could read
	// that index for.
	static final String CHOSEN_IDS = "id = ANY(ARRAY(SELECT id FROM chosen))";

	private final JdbcClient jdbc;

	private final TransactionTemplate transaction;

	private final IndexOrderedClaim claims;

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
		this.claims = new IndexOrderedClaim(dataSource);
		this.anyDue = anyDue(names, TaskClaimTable.QUEUES);
		this.claim = claim(names, TaskClaimTable.QUEUES, CHOSEN_IDS);
		this.lock = lock(names);
	}

	/**
	 * Whether a keyed task of some queues is due: one look at the keyed tasks' partial index, to
	 * run by an {@link IndexOrderedClaim}.
	 */
	static String anyDue(TableNames names, String queues) {
		return IndexOrderedClaim.of(ANY_DUE.formatted(names.task(), queues));
	}

	/**
	 * A {@link TaskClaimTable#CLAIM} of keyed tasks within their keys' limits, to run by an
	 * {@link IndexOrderedClaim}.
	 * @param queues the condition on the tasks' queue
	 * @param pick which tasks to claim, of which {@link #CHOSEN_IDS} are the keyed tasks within
	 * their limits
	 */
	static String claim(TableNames names, String queues, String pick) {
		String chosen = CHOSEN.formatted(names.task(), names.keyRate(), queues, LOOKED_AT,
				LimitedClaimTable.CATCH_UP.toNanos() / 1000);
		return IndexOrderedClaim.of(TaskClaimTable.CLAIM.formatted(names.task(), names.queue(), pick, chosen,
				MOVE_RATES.formatted(names.keyRate())));
	}

	/**
	 * The name of the advisory lock under which keyed claims take turns.
	 */
	static String lock(TableNames names) {
		return names.task() + "/concurrency-keys";
	}

	/**
	 * Claim due keyed tasks of some queues for a node, each while its key has room.
	 * @param node the claiming node
	 * @param taskNames the tasks the node can run
	 * @param queues the queues
	 * @param exceptQueues whether to claim from every queue but these instead
	 * @param limit the most to claim
	 * @return the claimed tasks, now RUNNING on the node, and whether any were due
	 */
	public KeyedClaim claim(String node, Collection<String> taskNames, Collection<String> queues,
			boolean exceptQueues, int limit) {
		boolean due = this.claims
			.query(this.anyDue, Map.of("queues", queues.toArray(String[]::new), "exceptQueues", exceptQueues),
					(row, n) -> row.getBoolean(1))
			.get(0);
		if (!due) {
			return new KeyedClaim(List.of(), false);
		}
		List<TaskRow> rows = this.transaction.execute((status) -> {
			AdvisoryLock.take(this.jdbc, this.lock);
			return TaskClaimTable.claimOfQueues(this.claims, this.claim, node, taskNames, queues, exceptQueues, limit);
		});
		return new KeyedClaim((rows != null) ? rows : List.of(), true);
	}

	/**
	 * What a claim of keyed tasks took.
	 * @param rows the claimed tasks
	 * @param due whether any keyed task was due, claimed or held back by its key
	 */
	public record KeyedClaim(List<TaskRow> rows, boolean due) {
	}

}
