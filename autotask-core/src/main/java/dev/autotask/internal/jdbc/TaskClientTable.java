package dev.autotask.internal.jdbc;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import dev.autotask.internal.jdbc.TaskClaimTable.Position;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The SQL of {@code autotask_task} behind the {@code Autotask} API: enqueue, look up and
 * cancel tasks of one owner. The table is created by {@code V1__create_autotask_task.sql}
 * (columns added by V2, V3, V4 and V7).
 *
 * <p>
 * Statements go through Spring's {@link JdbcClient}, so an enqueue inside a Spring-managed
 * transaction on the same {@link DataSource} joins it.
 */
public final class TaskClientTable {

	// Cancel a task and every other link of its chain (a task alone is a chain of one): those
	// still pending at once, the running one by asking it to stop. A running link already asked
	// is left alone, so that a second pass finds nothing unless a link was inserted meanwhile.
	private static final String CANCEL = """
			UPDATE %1$s AS task SET
				status = CASE WHEN task.status = 'PENDING' THEN 'CANCELLED' ELSE task.status END,
				cancel_requested = true,
				finished_at = CASE WHEN task.status = 'PENDING' THEN now() ELSE task.finished_at END,
				expires_at = CASE WHEN task.status = 'PENDING' THEN now() + task.ttl ELSE task.expires_at END
			FROM (SELECT coalesce(chain_id, id) AS id FROM %1$s WHERE id = :id AND owner = :owner) AS chain
			WHERE (task.id = chain.id OR task.chain_id = chain.id) AND task.owner = :owner
				AND (task.status = 'PENDING' OR (task.status = 'RUNNING' AND NOT task.cancel_requested))
			RETURNING task.id, task.name, task.owner, task.status, task.result, task.error""";

	// The links of the same chain that a cancel has still to stop, in a snapshot of its own.
	private static final String COUNT_CANCELLABLE = """
			SELECT count(*) FROM %1$s AS task
			JOIN (SELECT coalesce(chain_id, id) AS id FROM %1$s WHERE id = :id AND owner = :owner) AS chain
				ON task.id = chain.id OR task.chain_id = chain.id
			WHERE task.owner = :owner
				AND (task.status = 'PENDING' OR (task.status = 'RUNNING' AND NOT task.cancel_requested))""";

	private static final String FIND = "SELECT %s FROM %s WHERE id = :id AND owner = :owner";

	private static final String FIND_CHAIN = """
			SELECT %s FROM %s WHERE (id = :id OR chain_id = :id) AND owner = :owner ORDER BY id""";

	// The last runs of a task: those still to run or running first (read through the active
	// index), then the finished ones, newest first (through the history index).
	private static final String FIND_HISTORY = """
			SELECT * FROM (
				(SELECT %1$s FROM %2$s
				WHERE name = :name AND owner = :owner AND status IN ('PENDING', 'RUNNING')
				ORDER BY id DESC
				LIMIT :limit)
				UNION ALL
				(SELECT %1$s FROM %2$s
				WHERE name = :name AND owner = :owner AND finished_at IS NOT NULL
				ORDER BY finished_at DESC
				LIMIT :limit)) AS runs
			ORDER BY finished_at DESC NULLS FIRST, id DESC
			LIMIT :limit""";

	private static final String FIND_STATUS = "SELECT status FROM %s WHERE id = :id AND owner = :owner";

	/**
	 * The payload that tells listening engines of new tasks with a concurrency key, which a claim
	 * of their own takes; new tasks without one notify with their place (see {@link #placeOf}).
	 */
	public static final String KEYED_PAYLOAD = "keyed";

	private static final Pattern PLACE = Pattern.compile("(-?\\d{1,10}) (-?\\d{1,19})");

	// What an insert notifies listening engines with: KEYED_PAYLOAD, or else where the new tasks
	// are in the claim index, "<priority> <run_at in microseconds since the epoch>", so that an
	// engine whose claims go on past some place (Lane) goes back for them only when they are
	// before it. The tasks of one statement share both. %s is their run_at.
	static final String PAYLOAD = """
			coalesce(CAST(:payload AS text),
				CAST(:priority AS text) || ' ' || CAST((extract(epoch FROM %s) * 1000000)::bigint AS text))""";

	// Insert and notify in one round trip. NOTIFY is transactional: listeners hear of the task
	// only when the enqueuing transaction commits, never before the row is visible.
	private static final String INSERT = """
			INSERT INTO %s (name, queue, owner, args, priority, run_at, max_attempts, ttl, started_by, trace_context,
				concurrency_key, concurrency_limit, key_rate_micros)
			VALUES (:name, :queue, :owner, :args::jsonb, :priority, now() + :delayMillis * interval '1 millisecond',
				:maxAttempts, :ttlMillis * interval '1 millisecond', :startedBy, :traceContext::jsonb, :concurrencyKey,
				:concurrencyLimit, :keyRateMicros)
			RETURNING id, pg_notify(:channel, %s)""";

	// Many tasks of one name and options in one statement, and one notification. The ids come
	// from the identity in the order of the rows inserted, so sorting them gives the order of
	// :args. Identical notifications of one transaction are delivered once. Each task's
	// concurrency key is its own in :keys, if any (taken from an argument), else the shared one.
	private static final String INSERT_MANY = """
			WITH inserted AS (
				INSERT INTO %1$s (name, queue, owner, args, priority, run_at, max_attempts, ttl, started_by, trace_context,
					concurrency_key, concurrency_limit, key_rate_micros, group_id)
				SELECT :name, :queue, :owner, given.args::jsonb, :priority,
					now() + :delayMillis * interval '1 millisecond', :maxAttempts, :ttlMillis * interval '1 millisecond',
					:startedBy, :traceContext::jsonb, coalesce(given.concurrency_key, :concurrencyKey), :concurrencyLimit,
					:keyRateMicros, CAST(:groupId AS bigint)
				FROM unnest(:args::text[], :keys::text[]) WITH ORDINALITY AS given(args, concurrency_key, position)
				ORDER BY given.position
				RETURNING id)
			SELECT inserted.id FROM inserted CROSS JOIN (SELECT pg_notify(:channel, %2$s)) AS notified
			ORDER BY inserted.id""";

	private final JdbcClient jdbc;

	private final TaskUniqueTable unique;

	private final TableNames names;

	private final TaskEvents events;

	private final String cancel;

	private final String countCancellable;

	private final String find;

	private final String findChain;

	private final String findHistory;

	private final String findStatus;

	private final String insert;

	private final String insertMany;

	/**
	 * Create the statements for one schema.
	 * @param dataSource the database
	 * @param names the table names
	 * @param events whether a task that a cancel ends also writes its event to the outbox
	 */
	public TaskClientTable(DataSource dataSource, TableNames names, boolean events) {
		this.jdbc = JdbcClient.create(dataSource);
		this.names = names;
		this.events = new TaskEvents(names, events);
		String table = names.task();
		this.cancel = this.events.withCancelEvents(CANCEL.formatted(table));
		this.countCancellable = COUNT_CANCELLABLE.formatted(table);
		this.find = FIND.formatted(TaskRow.COLUMNS, table);
		this.findChain = FIND_CHAIN.formatted(TaskRow.COLUMNS, table);
		this.findHistory = FIND_HISTORY.formatted(TaskRow.COLUMNS, table);
		this.findStatus = FIND_STATUS.formatted(table);
		this.insert = INSERT.formatted(table, PAYLOAD.formatted("run_at"));
		this.insertMany = INSERT_MANY.formatted(table,
				PAYLOAD.formatted("now() + :delayMillis * interval '1 millisecond'"));
		this.unique = new TaskUniqueTable(dataSource, names);
	}

	/**
	 * Cancel a task of one owner and the rest of its chain: the links still pending end
	 * {@code CANCELLED} at once (with their events, when events are on), the running one is
	 * asked to stop, and no link is enqueued after it. Any link's id, ended or not, stands for
	 * its whole chain.
	 * @param id the task
	 * @param owner the owner asking
	 * @return its status afterwards, or empty if it does not exist for that owner
	 */
	public Optional<String> cancel(long id, String owner) {
		// Again until nothing is left to stop. A pass cannot see a link inserted by a
		// continuation that held the current link while the pass waited for it: by then the
		// current link has ended, so the pass skips it, and the new link is not in its snapshot.
		// The count that follows, with a newer snapshot, sees it. It ends: a further link needs a
		// running link that was not asked to stop, and each pass asks all it sees.
		do {
			this.events.endAll(this.jdbc.sql(this.cancel).param("id", id).param("owner", owner));
		}
		while (this.jdbc.sql(this.countCancellable)
			.param("id", id)
			.param("owner", owner)
			.query(Long.class)
			.single() > 0);
		return this.jdbc.sql(this.findStatus).param("id", id).param("owner", owner).query(String.class).optional();
	}

	/**
	 * Find a task of one owner.
	 * @param id the task
	 * @param owner the owner asking
	 * @return the task, or empty if it does not exist for that owner
	 */
	public Optional<TaskRow> find(long id, String owner) {
		return this.jdbc.sql(this.find).param("id", id).param("owner", owner).query(TaskRow.MAPPER).optional();
	}

	/**
	 * A chain of continuations of one owner, by its first task.
	 * @param firstId the first task's id
	 * @param owner the owner asking
	 * @return the chain's tasks in order, empty if the first does not exist for that owner
	 */
	public List<TaskRow> findChain(long firstId, String owner) {
		return this.jdbc.sql(this.findChain).param("id", firstId).param("owner", owner).query(TaskRow.MAPPER).list();
	}

	/**
	 * The last runs of a task of one owner: pending and running ones first, then the
	 * finished ones, newest first.
	 * @param name the task's name
	 * @param owner the owner asking
	 * @param limit the most to return
	 * @return the runs
	 */
	public List<TaskRow> findHistory(String name, String owner, int limit) {
		return this.jdbc.sql(this.findHistory)
			.param("name", name)
			.param("owner", owner)
			.param("limit", limit)
			.query(TaskRow.MAPPER)
			.list();
	}

	/**
	 * Insert a task and notify listeners when the transaction commits; with a unique key
	 * already pending or running (or, with {@link NewTask#uniqueFor()}, created within that
	 * time), return that task instead.
	 * @param task the task
	 * @return its id, and whether it was created by this call
	 */
	public Inserted insert(NewTask task) {
		if (task.uniqueKey() == null) {
			long id = insertStatement(this.insert, task, task.args())
				.query((rs, row) -> rs.getLong(1))
				.single();
			return new Inserted(id, true);
		}
		return this.unique.insert(task);
	}

	/**
	 * Insert many tasks of one name with the same options, and notify listeners once when the
	 * transaction commits.
	 * @param task the options all share (its {@code args} and {@code uniqueKey} are ignored)
	 * @param args each task's JSON array of arguments
	 * @return the new tasks' ids, in the order of {@code args}
	 */
	public List<Long> insertMany(NewTask task, List<String> args) {
		return insertMany(task, args, List.of(), null);
	}

	/**
	 * Insert many tasks of one name with the same options as members of a group, and notify
	 * listeners once when the transaction commits.
	 * @param task the options all share (its {@code args} and {@code uniqueKey} are ignored)
	 * @param args each task's JSON array of arguments
	 * @param keys each task's concurrency key, in the order of {@code args}, or empty for the
	 * shared one
	 * @param groupId the group, or {@code null} for none
	 * @return the ids, in the order of {@code args}
	 */
	public List<Long> insertMany(NewTask task, List<String> args, List<String> keys, @Nullable Long groupId) {
		return insertStatement(this.insertMany, task, args.toArray(String[]::new))
			.param("keys", keys.toArray(String[]::new))
			.param("payload", keys.isEmpty() ? task.payload() : KEYED_PAYLOAD)
			.param("groupId", groupId)
			.query((rs, row) -> rs.getLong(1))
			.list();
	}

	// What every insert binds; args is one task's JSON array, or an array of them for insertMany.
	private JdbcClient.StatementSpec insertStatement(String sql, NewTask task, Object args) {
		return task.bind(this.jdbc.sql(sql), args, this.names.channel());
	}

	/**
	 * Where the tasks of an insert's notification are in the claim index.
	 * @param payload a notification's payload
	 * @return their place (with id 0, before every task of the same due time), or {@code null}
	 * if the payload does not say
	 */
	public static @Nullable Position placeOf(String payload) {
		Matcher place = PLACE.matcher(payload);
		if (!place.matches()) {
			return null;
		}
		try {
			return new Position(Integer.parseInt(place.group(1)), Long.parseLong(place.group(2)), 0);
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	/**
	 * A task to insert.
	 *
	 * @param name the task's name
	 * @param queue its queue
	 * @param owner who starts it
	 * @param args the JSON array of arguments
	 * @param priority higher runs first within the queue
	 * @param delay the earliest start, from now
	 * @param maxAttempts attempts allowed
	 * @param ttl how long the outcome is kept
	 * @param uniqueKey the unique key, or {@code null}
	 * @param uniqueFor how long after its creation a task keeps its unique key from another, or
	 * {@code null} for as long as it is pending or running
	 * @param replace whether a pending task with the unique key takes the new arguments and delay
	 * @param concurrencyKey the key of which at most {@code concurrencyLimit} run at once, or
	 * {@code null}
	 * @param concurrencyLimit how many tasks with the key may run at once, 0 for no limit
	 * @param keyRateInterval the time between two starts of tasks with the key, or {@code null}
	 * for no rate limit
	 * @param startedBy the user it is started as, or {@code null}
	 * @param traceContext the JSON object of the enqueuing trace's propagation fields, or
	 * {@code null} without a tracer
	 */
	public record NewTask(String name, String queue, String owner, String args, int priority, Duration delay,
			int maxAttempts, Duration ttl, @Nullable String uniqueKey, @Nullable Duration uniqueFor, boolean replace,
			@Nullable String concurrencyKey, int concurrencyLimit, @Nullable Duration keyRateInterval,
			@Nullable String startedBy,
			@Nullable String traceContext) {

		JdbcClient.StatementSpec bind(JdbcClient.StatementSpec statement, Object args, String channel) {
			return statement.param("name", this.name)
				.param("queue", this.queue)
				.param("owner", this.owner)
				.param("args", args)
				.param("priority", this.priority)
				.param("delayMillis", this.delay.toMillis())
				.param("maxAttempts", this.maxAttempts)
				.param("ttlMillis", this.ttl.toMillis())
				.param("startedBy", this.startedBy)
				.param("concurrencyKey", this.concurrencyKey)
				.param("concurrencyLimit", (this.concurrencyLimit > 0) ? this.concurrencyLimit : null)
				.param("keyRateMicros", (this.keyRateInterval != null) ? LimitedClaimTable.micros(this.keyRateInterval) : null)
				.param("traceContext", this.traceContext)
				.param("channel", channel)
				.param("payload", payload());
		}

		// What the insert notifies listening engines with, if not their place (PAYLOAD).
		@Nullable String payload() {
			return (this.concurrencyKey != null) ? KEYED_PAYLOAD : null;
		}

	}

	/**
	 * What an insert did.
	 *
	 * @param id the task's id
	 * @param created whether this call created it (false: a task with the same unique key was
	 * pending or running)
	 */
	public record Inserted(long id, boolean created) {

	}

}
