package dev.autotask.internal.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The SQL of {@code autotask_task} that claims tasks for a node and gives back those it cannot
 * run: the dispatcher's claim loop, an inline drain, and a node that stops. The table is created
 * by {@code V1__create_autotask_task.sql} (columns added by V2, V3, V4 and V7).
 */
public final class TaskClaimTable {

	// Claim the due tasks of some queues (or of all queues but some) in one statement. SKIP
	// LOCKED lets nodes claim side by side without waiting on each other; the subquery reads
	// only the partial claim index. Paused queues are left alone.
	// The claim's own commit does not wait for the WAL flush (set_config, local to the statement's
	// transaction): a claim lost in a server crash leaves its tasks PENDING, to be claimed again,
	// and the commit of any outcome flushes the claim before it, since the WAL is written in order.
	// The claimed rows come back in the order they are to run: an UPDATE returns them in no
	// particular order, and a node that claims ahead starts them in the order returned. They
	// carry what a worker needs, in the order CLAIMED_ROW reads: not the outcome columns (the
	// error of a failed attempt holds a stack trace), and times as microseconds since the epoch,
	// which cost the driver far less than timestamps. %3$s picks the tasks; %4$s is empty, or
	// common table expressions the pick reads, each ending with a comma; %5$s is empty, or common
	// table expressions that read what was claimed, each starting with a comma. The claimed ids
	// are an array that the update looks up by primary key: as "id IN (subquery)", the plan made
	// once per connection (IndexOrderedClaim), which cannot know the limit, took a tenth of the
	// pending tasks for it and read the whole table to join them (a drain at a third of its rate).
	static final String CLAIM = """
			WITH %4$sclaimed AS (
				UPDATE %1$s SET status = 'RUNNING', attempt = attempt + 1, started_at = now(), node_id = :node
				WHERE id = ANY(ARRAY(
					SELECT id FROM %1$s
					WHERE status = 'PENDING' AND run_at <= now() AND name = ANY(:names)
						AND %3$s
						AND NOT EXISTS (SELECT 1 FROM %2$s AS q WHERE q.name = queue AND q.paused)
					ORDER BY priority DESC, run_at, id
					LIMIT :limit
					FOR UPDATE SKIP LOCKED))
					AND (SELECT set_config('synchronous_commit', 'off', true)) = 'off'
				RETURNING id, name, queue, owner, status, args, attempt, max_attempts, created_at, run_at, started_at,
					checkpoint, rescues, started_by, priority, trace_context, concurrency_key)%5$s
			SELECT id, name, queue, owner, status, args::text, attempt, max_attempts,
				(extract(epoch FROM created_at) * 1000000)::bigint, (extract(epoch FROM run_at) * 1000000)::bigint,
				(extract(epoch FROM started_at) * 1000000)::bigint, checkpoint::text, rescues, started_by,
				trace_context::text, priority
			FROM claimed
			ORDER BY priority DESC, run_at, id""";

	/** The queues of a lane, for a claim: the listed ones, or every one but them. */
	static final String QUEUES = "(queue = ANY(:queues)) <> :exceptQueues";

	// Tasks with a concurrency key are claimed by KeyedClaimTable, which counts them per key.
	private static final String OF_QUEUES = QUEUES + " AND concurrency_key IS NULL";

	// The tasks after a place in the claim index, of its priority: the index scan starts there.
	// A claim from the front steps over the entries of every task claimed since the table's last
	// vacuum, dead but still in the index: at half of a backlog of a million, 2,000 pages and 3 ms
	// a claim.
	private static final String AFTER = " AND priority = :priority"
			+ " AND (run_at, id) > (timestamptz 'epoch' + :runAtMicros * interval '1 microsecond', :id)";

	// The tasks of the priorities below one, where a claim after a place of that priority goes on
	// when it has taken all it found there: the index scan starts at the next priority, past the
	// dead entries of that one.
	private static final String BELOW = " AND priority < :priority";

	// A task handed back keeps its run_at, and so its place in the queue: it was due before the
	// tasks enqueued while it ran. A task that was asked to stop is not handed back to run again:
	// it ends CANCELLED. %2$s narrows it to some of the node's tasks. The nodes that listen are
	// woken in the same statement, as a rescue wakes them: a notification with no place sends their
	// claims to the front, where the task's run_at put it.
	private static final String HAND_BACK = """
			UPDATE %1$s SET status = CASE WHEN cancel_requested THEN 'CANCELLED' ELSE 'PENDING' END,
				node_id = CASE WHEN cancel_requested THEN node_id END,
				rescues = CASE WHEN cancel_requested THEN rescues ELSE rescues + 1 END,
				max_attempts = CASE WHEN cancel_requested THEN max_attempts ELSE max_attempts + 1 END,
				finished_at = CASE WHEN cancel_requested THEN now() ELSE finished_at END,
				expires_at = CASE WHEN cancel_requested THEN now() + ttl ELSE expires_at END
			WHERE status = 'RUNNING' AND node_id = :node%2$s
			RETURNING id, name, owner, status, result, error, pg_notify(:channel, '')""";

	// The database's clock and the due time of the earliest pending task, both in microseconds
	// since the epoch; the second is null when nothing is pending.
	private static final String EARLIEST = """
			SELECT (extract(epoch FROM now()) * 1000000)::bigint, (extract(epoch FROM min(run_at)) * 1000000)::bigint
			FROM %s WHERE status = 'PENDING' AND name = ANY(:names)""";

	// Give back tasks claimed ahead that never started: the claim is undone, attempt included,
	// and the task keeps its place in the queue. The nodes that listen are woken, as by HAND_BACK.
	private static final String RELEASE_MANY = """
			UPDATE %s SET status = 'PENDING', node_id = NULL, attempt = attempt - 1
			WHERE id = ANY(:ids) AND status = 'RUNNING' AND node_id = :node
			RETURNING id, pg_notify(:channel, '')""";

	static final RowMapper<TaskRow> CLAIMED_ROW = TaskClaimTable::mapClaimedRow;

	private final JdbcClient jdbc;

	private final TaskEvents events;

	private final String claim;

	private final String claimAfter;

	private final String claimBelow;

	private final String handBack;

	private final String handBackMany;

	private final IndexOrderedClaim claims;

	private final String earliest;

	private final String releaseMany;

	private final String channel;

	/**
	 * Create the statements for one schema.
	 * @param dataSource the database
	 * @param names the table names
	 * @param events whether a task that a hand-back ends also writes its event to the outbox
	 */
	public TaskClaimTable(DataSource dataSource, TableNames names, boolean events) {
		this.jdbc = JdbcClient.create(dataSource);
		this.events = new TaskEvents(names, events);
		String table = names.task();
		this.claims = new IndexOrderedClaim(dataSource);
		this.claim = IndexOrderedClaim.of(CLAIM.formatted(table, names.queue(), OF_QUEUES, "", ""));
		this.claimAfter = IndexOrderedClaim.of(CLAIM.formatted(table, names.queue(), OF_QUEUES + AFTER, "", ""));
		this.claimBelow = IndexOrderedClaim.of(CLAIM.formatted(table, names.queue(), OF_QUEUES + BELOW, "", ""));
		this.handBack = this.events.withCancelEvents(HAND_BACK.formatted(table, ""));
		// The same for some of the node's tasks, which may have started: their attempt stays counted.
		this.handBackMany = this.events.withCancelEvents(HAND_BACK.formatted(table, " AND id = ANY(:ids)"));
		this.earliest = EARLIEST.formatted(table);
		this.releaseMany = RELEASE_MANY.formatted(table);
		this.channel = names.channel();
	}

	/**
	 * Claim up to {@code limit} due tasks of any queue for a node.
	 * @param node the claiming node
	 * @param taskNames the tasks the node can run
	 * @param limit the most to claim
	 * @return the claimed tasks, now RUNNING on the node
	 */
	public List<TaskRow> claim(String node, Collection<String> taskNames, int limit) {
		return claim(node, taskNames, List.of(), true, limit, null).rows();
	}

	/**
	 * Claim up to {@code limit} due tasks of some queues for a node, from the front of the claim
	 * index or after the place where an earlier claim stopped, in that place's priority.
	 * @param node the claiming node
	 * @param taskNames the tasks the node can run
	 * @param queues the queues
	 * @param exceptQueues whether to claim from every queue but these instead
	 * @param limit the most to claim
	 * @param after where an earlier claim of the same tasks and queues stopped, or {@code null} to
	 * claim from the front; no task before it, nor of another priority, is claimed
	 * @return the claimed tasks, now RUNNING on the node, and the place of the last
	 */
	public Claimed claim(String node, Collection<String> taskNames, Collection<String> queues, boolean exceptQueues,
			int limit, @Nullable Position after) {
		Map<String, Object> params = claimParams(node, taskNames, queues, exceptQueues, limit);
		if (after != null) {
			params.put("priority", after.priority());
			params.put("runAtMicros", after.runAtMicros());
			params.put("id", after.id());
		}
		return claimed(this.claims.query((after != null) ? this.claimAfter : this.claim, params,
				TaskClaimTable::mapPositionedRow));
	}

	/**
	 * Claim up to {@code limit} due tasks of some queues for a node, of the priorities below
	 * one, from the front of theirs.
	 * @param node the claiming node
	 * @param taskNames the tasks the node can run
	 * @param queues the queues
	 * @param exceptQueues whether to claim from every queue but these instead
	 * @param limit the most to claim
	 * @param priority no task of this priority or above is claimed
	 * @return the claimed tasks, now RUNNING on the node, and the place of the last
	 */
	public Claimed claimBelow(String node, Collection<String> taskNames, Collection<String> queues,
			boolean exceptQueues, int limit, int priority) {
		Map<String, Object> params = claimParams(node, taskNames, queues, exceptQueues, limit);
		params.put("priority", priority);
		return claimed(this.claims.query(this.claimBelow, params, TaskClaimTable::mapPositionedRow));
	}

	private static Claimed claimed(List<PositionedRow> rows) {
		Position last = rows.isEmpty() ? null : rows.get(rows.size() - 1).position();
		return new Claimed(rows.stream().map(PositionedRow::row).toList(), last);
	}

	/**
	 * Run a {@link #CLAIM} that picks by {@link #QUEUES}.
	 */
	static List<TaskRow> claimOfQueues(IndexOrderedClaim claims, String claim, String node,
			Collection<String> taskNames, Collection<String> queues, boolean exceptQueues, int limit) {
		return claims.claim(claim, claimParams(node, taskNames, queues, exceptQueues, limit));
	}

	// The parameters of a CLAIM that picks by QUEUES, in a map that takes more.
	private static Map<String, Object> claimParams(String node, Collection<String> taskNames,
			Collection<String> queues, boolean exceptQueues, int limit) {
		Map<String, Object> params = new HashMap<>();
		params.put("node", node);
		params.put("names", taskNames.toArray(String[]::new));
		params.put("queues", queues.toArray(String[]::new));
		params.put("exceptQueues", exceptQueues);
		params.put("limit", limit);
		return params;
	}

	/**
	 * Hand back the tasks still running on a node that stops, without spending an attempt;
	 * those asked to stop end {@code CANCELLED} instead. The nodes that listen are woken.
	 * @param node the node
	 * @return how many were handed back or cancelled
	 */
	public int handBack(String node) {
		return this.events.endAll(this.jdbc.sql(this.handBack).param("node", node).param("channel", this.channel));
	}

	/**
	 * Hand back some tasks a node may have started but cannot end, as a rescue does: the
	 * attempt stays counted and one more is granted. Those asked to stop end {@code CANCELLED}.
	 * The nodes that listen are woken.
	 * @param node the node
	 * @param ids the tasks
	 * @return how many were handed back or cancelled
	 */
	public int handBackMany(String node, Collection<Long> ids) {
		return this.events.endAll(this.jdbc.sql(this.handBackMany)
			.param("node", node)
			.param("ids", ids.toArray(Long[]::new))
			.param("channel", this.channel));
	}

	/**
	 * Give back tasks a node claimed but never started, undoing their claim, and wake the nodes
	 * that listen.
	 * @param node the node
	 * @param ids the tasks
	 * @return how many were given back
	 */
	public int releaseMany(String node, Collection<Long> ids) {
		return this.jdbc.sql(this.releaseMany)
			.param("node", node)
			.param("ids", ids.toArray(Long[]::new))
			.param("channel", this.channel)
			.query((rs, row) -> rs.getLong(1))
			.list()
			.size();
	}

	/**
	 * When the earliest pending task of these names is due, on the database's clock.
	 * @param taskNames the tasks a node can run
	 * @return the look
	 */
	public Earliest earliest(Collection<String> taskNames) {
		return this.jdbc.sql(this.earliest)
			.param("names", taskNames.toArray(String[]::new))
			.query((rs, row) -> {
				long now = rs.getLong(1);
				long runAt = rs.getLong(2);
				return new Earliest(now, rs.wasNull() ? Long.MAX_VALUE : runAt);
			})
			.single();
	}

	private static PositionedRow mapPositionedRow(ResultSet rs, int row) throws SQLException {
		TaskRow task = mapClaimedRow(rs, row);
		return new PositionedRow(task, new Position(rs.getInt(16), rs.getLong(10), task.id()));
	}

	private static TaskRow mapClaimedRow(ResultSet rs, int row) throws SQLException {
		return new TaskRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
				rs.getString(6), rs.getInt(7), rs.getInt(8), micros(rs.getLong(9)), micros(rs.getLong(10)),
				micros(rs.getLong(11)), null, null, null, null, rs.getString(12), rs.getInt(13), rs.getString(14),
				rs.getString(15), null, null);
	}

	private static Instant micros(long micros) {
		return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
	}

	/**
	 * A task's place in the claim index's order: by priority, highest first, then by due time
	 * and id.
	 * @param priority the task's priority
	 * @param runAtMicros when it is due, in microseconds since the epoch
	 * @param id the task
	 */
	public record Position(int priority, long runAtMicros, long id) {

		/**
		 * Whether this place comes before another in the claim index's order, or is the same.
		 * @param other the other place
		 * @return whether a claim that starts after {@code other} would miss this one
		 */
		public boolean notAfter(Position other) {
			if (this.priority != other.priority) {
				return this.priority > other.priority;
			}
			if (this.runAtMicros != other.runAtMicros) {
				return this.runAtMicros < other.runAtMicros;
			}
			return this.id <= other.id;
		}

	}

	/**
	 * What one claim took.
	 * @param rows the claimed tasks, in the order they are to run
	 * @param last the place of the last of them, or {@code null} if none was claimed
	 */
	public record Claimed(List<TaskRow> rows, @Nullable Position last) {
	}

	/**
	 * A look for the earliest pending task.
	 * @param nowMicros the database's time of the look, in microseconds since the epoch
	 * @param runAtMicros when the earliest pending task is due, or {@link Long#MAX_VALUE} if none
	 * is pending
	 */
	public record Earliest(long nowMicros, long runAtMicros) {
	}

	private record PositionedRow(TaskRow row, Position position) {
	}

}
