package dev.autotask.internal.jdbc;

import java.util.Optional;

import javax.sql.DataSource;

import dev.autotask.internal.jdbc.TaskClientTable.Inserted;
import dev.autotask.internal.jdbc.TaskClientTable.NewTask;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The SQL of {@code autotask_task} that enqueues a task with a unique key: a second start
 * returns the first task instead while it is pending or running (the unique index of V3), or,
 * with a period, while the first is younger than that even after it ended (under an advisory
 * lock per key, with V16's index); in replace mode a pending first task takes the second's
 * arguments and delay instead (a debounce).
 */
final class TaskUniqueTable {

	// The existing task with the key, if one is pending or running, is returned (created =
	// false) instead of inserted; in replace mode a pending one takes the new arguments and run_at
	// (created = false, xmax set by the update).
	private static final String INSERT_UNIQUE = """
			WITH inserted AS (
				INSERT INTO %1$s AS task (name, queue, owner, args, priority, run_at, max_attempts, ttl, unique_key,
					started_by, trace_context, concurrency_key, concurrency_limit, key_rate_micros)
				VALUES (:name, :queue, :owner, :args::jsonb, :priority, now() + :delayMillis * interval '1 millisecond',
					:maxAttempts, :ttlMillis * interval '1 millisecond', :uniqueKey, :startedBy, :traceContext::jsonb,
					:concurrencyKey, :concurrencyLimit, :keyRateMicros)
				ON CONFLICT (name, owner, unique_key) WHERE unique_key IS NOT NULL AND status IN ('PENDING', 'RUNNING')
				%2$s
				RETURNING id, xmax = 0 AS created, run_at)
			SELECT id, created, pg_notify(:channel, %3$s) FROM inserted
			UNION ALL
			SELECT id, false, NULL FROM %1$s
			WHERE name = :name AND owner = :owner AND unique_key = :uniqueKey
				AND status IN ('PENDING', 'RUNNING') AND NOT EXISTS (SELECT 1 FROM inserted)""";

	private static final String KEEP = "DO NOTHING";

	private static final String REPLACE = """
			DO UPDATE SET args = excluded.args, run_at = excluded.run_at WHERE task.status = 'PENDING'""";

	// The newest task with the key created within the period, whatever its status.
	private static final String FIND_RECENT = """
			SELECT id, status FROM %s
			WHERE name = :name AND owner = :owner AND unique_key = :uniqueKey
				AND created_at > now() - :uniqueForMillis * interval '1 millisecond'
			ORDER BY created_at DESC, id DESC
			LIMIT 1""";

	private final JdbcClient jdbc;

	private final TableNames names;

	private final TransactionTemplate transaction;

	private final String insertKeeping;

	private final String insertReplacing;

	private final String findRecent;


	TaskUniqueTable(DataSource dataSource, TableNames names) {
		this.jdbc = JdbcClient.create(dataSource);
		this.names = names;
		// Joins the caller's transaction, if any: the lock is then held until it commits.
		this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		String payload = TaskClientTable.PAYLOAD.formatted("inserted.run_at");
		this.insertKeeping = INSERT_UNIQUE.formatted(names.task(), KEEP, payload);
		this.insertReplacing = INSERT_UNIQUE.formatted(names.task(), REPLACE, payload);
		this.findRecent = FIND_RECENT.formatted(names.task());
	}

	Inserted insert(NewTask task) {
		if (task.uniqueFor() == null) {
			return insertOrFind(task);
		}
		Inserted inserted = this.transaction.execute((status) -> {
			// Starts with the same key take turns until the first commits, so that the second's
			// look-up sees it.
			AdvisoryLock.take(this.jdbc,
					this.names.task() + "/" + task.name() + "/" + task.owner() + "/" + task.uniqueKey());
			return findRecent(task).orElseGet(() -> insertOrFind(task));
		});
		if (inserted == null) {
			throw new IllegalStateException("Enqueue of task '" + task.name() + "' returned nothing");
		}
		return inserted;
	}

	// The newest task with the key within the period, if it has ended: one still pending or
	// running holds the unique index, through which the insert finds it (and replaces it).
	private Optional<Inserted> findRecent(NewTask task) {
		return this.jdbc.sql(this.findRecent)
			.param("name", task.name())
			.param("owner", task.owner())
			.param("uniqueKey", task.uniqueKey())
			.param("uniqueForMillis", task.uniqueFor().toMillis())
			.query((rs, row) -> new Recent(rs.getLong("id"), rs.getString("status")))
			.optional()
			.filter(Recent::ended)
			.map((recent) -> new Inserted(recent.id(), false));
	}

	private Inserted insertOrFind(NewTask task) {
		String statement = task.replace() ? this.insertReplacing : this.insertKeeping;
		// A conflicting task may end between the insert and the look-up: try again then.
		for (int i = 0; i < 3; i++) {
			Optional<Inserted> inserted = task.bind(this.jdbc.sql(statement), task.args(), this.names.channel())
				.param("uniqueKey", task.uniqueKey())
				.query((rs, row) -> new Inserted(rs.getLong("id"), rs.getBoolean("created")))
				.optional();
			if (inserted.isPresent()) {
				return inserted.get();
			}
		}
		throw new IllegalStateException("Could not enqueue task '" + task.name() + "' with unique key '"
				+ task.uniqueKey() + "': it kept conflicting with a task that ended meanwhile");
	}

	private record Recent(long id, String status) {

		boolean ended() {
			return !"PENDING".equals(this.status) && !"RUNNING".equals(this.status);
		}

	}

}
