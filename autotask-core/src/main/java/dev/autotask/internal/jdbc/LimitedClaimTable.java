package dev.autotask.internal.jdbc;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The SQL of {@code autotask_task} that claims the tasks of a queue limited across the cluster:
 * by how many run at once ({@code global}), by how many start per period (one start per
 * interval), or both. Each such claim is a short transaction; the claims of one queue take turns, whichever
 * node makes them, so that each sees every claim before it. Queues without a limit are claimed by
 * {@link TaskClaimTable}, in one statement, and pay nothing for these.
 *
 * <p>
 * A rate limit is kept as the time the queue's next task may start, in {@code autotask_queue}
 * (V17): a claim takes one start per interval elapsed since then (at most
 * {@link #CATCH_UP}'s worth more than one, so that a late claim does not burst), and moves it on by
 * one interval per task it claimed.
 *
 * <p>
 * Tasks of such a queue that have a concurrency key are claimed here too, within both the
 * queue's limits and their key's ({@link KeyedClaimTable}'s pick, under its lock as well, which
 * every claim takes after any of its own).
 */
public final class LimitedClaimTable {

	/**
	 * How far behind the next start may be before it is moved up to now: a claim late by less
	 * than this takes the starts it missed, one later by more does not make up for the rest.
	 */
	static final Duration CATCH_UP = Duration.ofMillis(50);

	// A queue at its limit of running tasks: other nodes free slots without a word.
	private static final Duration LIMIT_RECHECK = Duration.ofMillis(50);

	private static final String OF_QUEUE = "queue = :queue";

	private static final String WITHOUT_KEY = OF_QUEUE + " AND concurrency_key IS NULL";

	private static final String WITH_KEYS = OF_QUEUE + " AND (concurrency_key IS NULL OR "
			+ KeyedClaimTable.CHOSEN_IDS + ")";

	// The queue's running tasks, read in the order of the index of running tasks, which is then the
	// only plan without a sort (run by IndexOrderedClaim): left to statistics of a quiet queue, the
	// planner read them through the index of every active task, pending ones included.
	private static final String COUNT_RUNNING = """
			SELECT count(*) FROM (
				SELECT 1 FROM %s WHERE status = 'RUNNING' AND queue = :queue ORDER BY node_id, started_at) AS running""";

	private static final String ENSURE_QUEUE = "INSERT INTO %s (name) VALUES (:queue) ON CONFLICT (name) DO NOTHING";

	// How many starts are due by now, and from when they are counted; the row stays locked
	// until the claim commits. The clock is read when the row is locked (clock_timestamp(), not
	// the transaction's start), after any wait for another node's claim.
	private static final String LOCK_STARTS = """
			SELECT floor(extract(epoch FROM clock - base) * 1000000 / :intervalMicros)::bigint + 1 AS due,
				(extract(epoch FROM base) * 1000000)::bigint AS base_micros,
				greatest(0, (extract(epoch FROM base - clock) * 1000)::bigint) AS wait_millis
			FROM (SELECT greatest(coalesce(next_start, clock), clock - :catchUpMicros * interval '1 microsecond') AS base,
					clock
				FROM (SELECT next_start, clock_timestamp() AS clock FROM %s WHERE name = :queue FOR UPDATE) AS locked)
				AS next""";

	private static final String MOVE_STARTS = """
			UPDATE %s SET next_start = to_timestamp(:baseMicros / 1000000.0) + :claimed * :intervalMicros * interval '1 microsecond'
			WHERE name = :queue""";

	private final JdbcClient jdbc;

	private final TransactionTemplate transaction;

	private final IndexOrderedClaim claims;

	private final String claim;

	private final String anyKeyedDue;

	private final String claimWithKeys;

	private final String keysLock;

	private final String countRunning;

	private final String ensureQueue;

	private final String lockStarts;

	private final String moveStarts;

	private final String lockPrefix;

	/**
	 * Create the statements for one schema.
	 * @param dataSource the database
	 * @param names the table names
	 */
	public LimitedClaimTable(DataSource dataSource, TableNames names) {
		this.jdbc = JdbcClient.create(dataSource);
		this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		this.claims = new IndexOrderedClaim(dataSource);
		this.claim = IndexOrderedClaim.of(TaskClaimTable.CLAIM.formatted(names.task(), names.queue(), WITHOUT_KEY, "", ""));
		this.anyKeyedDue = KeyedClaimTable.anyDue(names, OF_QUEUE);
		this.claimWithKeys = KeyedClaimTable.claim(names, OF_QUEUE, WITH_KEYS);
		this.keysLock = KeyedClaimTable.lock(names);
		this.countRunning = IndexOrderedClaim.of(COUNT_RUNNING.formatted(names.task()));
		this.ensureQueue = ENSURE_QUEUE.formatted(names.queue());
		this.lockStarts = LOCK_STARTS.formatted(names.queue());
		this.moveStarts = MOVE_STARTS.formatted(names.queue());
		this.lockPrefix = names.task() + "/";
	}

	/**
	 * Claim due tasks of a limited queue: at most {@code limit}, at most what {@code global}
	 * leaves over the queue's tasks running on every node, and at most the starts the rate
	 * limit has due.
	 * @param node the claiming node
	 * @param taskNames the tasks the node can run
	 * @param queue the queue
	 * @param global the most of the queue's tasks to run at once in the cluster, 0 for no limit
	 * @param rateInterval the time between two starts in the cluster, or {@code null} for no
	 * rate limit
	 * @param limit the most to claim
	 * @return the claimed tasks, now RUNNING on the node, and when a limit lets more start
	 */
	public LimitedClaim claim(String node, Collection<String> taskNames, String queue, int global,
			@Nullable Duration rateInterval, int limit) {
		LimitedClaim claim = this.transaction.execute((status) -> {
			int allowed = limit;
			Duration retry = null;
			if (global > 0) {
				// Before the count, which then sees every claim before it. Keyed by table and queue:
				// other schemas' queues of the same name do not wait on it.
				AdvisoryLock.take(this.jdbc, this.lockPrefix + queue);
				long left = global
						- this.claims.query(this.countRunning, Map.of("queue", queue), (row, n) -> row.getLong(1)).get(0);
				if (left < allowed) {
					allowed = (int) Math.max(0, left);
					retry = LIMIT_RECHECK;
				}
			}
			Starts starts = null;
			if (rateInterval != null && allowed > 0) {
				starts = lockStarts(queue, rateInterval);
				if (starts.due() < allowed) {
					allowed = (int) Math.max(0, starts.due());
					retry = (allowed > 0) ? rateInterval : Duration.ofMillis(Math.max(1, starts.waitMillis()));
				}
			}
			if (allowed == 0) {
				return new LimitedClaim(List.of(), retry);
			}
			Map<String, Object> params = Map.of("node", node, "names", taskNames.toArray(String[]::new), "queue", queue,
					"limit", allowed);
			List<TaskRow> rows = this.claims.claim(keyedDue(queue) ? this.claimWithKeys : this.claim, params);
			if (starts != null) {
				this.jdbc.sql(this.moveStarts)
					.param("baseMicros", starts.baseMicros())
					.param("claimed", rows.size())
					.param("intervalMicros", micros(rateInterval))
					.param("queue", queue)
					.update();
			}
			// Fewer than allowed: nothing more is due, and a notification or the next due time
			// says when to look again.
			return new LimitedClaim(rows, (rows.size() == allowed) ? retry : null);
		});
		return (claim != null) ? claim : new LimitedClaim(List.of(), null);
	}

	// Whether keyed tasks are due, for the claim that takes them as well: it runs under the keyed
	// claims' lock, taken here after the queue's, so that it counts their keys' running tasks with
	// every other claim.
	private boolean keyedDue(String queue) {
		if (!this.claims.query(this.anyKeyedDue, Map.of("queue", queue), (row, n) -> row.getBoolean(1)).get(0)) {
			return false;
		}
		AdvisoryLock.take(this.jdbc, this.keysLock);
		return true;
	}

	// The queue's row is written once, by the first claim that finds none.
	private Starts lockStarts(String queue, Duration interval) {
		return findStarts(queue, interval).orElseGet(() -> {
			this.jdbc.sql(this.ensureQueue).param("queue", queue).update();
			return findStarts(queue, interval).orElseThrow();
		});
	}

	private Optional<Starts> findStarts(String queue, Duration interval) {
		return this.jdbc.sql(this.lockStarts)
			.param("intervalMicros", micros(interval))
			.param("catchUpMicros", CATCH_UP.toNanos() / 1000)
			.param("queue", queue)
			.query((rs, row) -> new Starts(rs.getLong("due"), rs.getLong("base_micros"), rs.getLong("wait_millis")))
			.optional();
	}

	// An interval between starts as the rate columns keep it: whole microseconds, at least one.
	static long micros(Duration interval) {
		return Math.max(1, interval.toNanos() / 1000);
	}

	/**
	 * What a claim of a limited queue took.
	 * @param rows the claimed tasks
	 * @param retryIn when a limit lets more of the queue's due tasks start, or {@code null} if
	 * no limit held any back
	 */
	public record LimitedClaim(List<TaskRow> rows, @Nullable Duration retryIn) {
	}

	private record Starts(long due, long baseMicros, long waitMillis) {
	}

}
