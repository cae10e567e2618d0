package dev.autotask.internal.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The SQL of {@code autotask_task}.
 *
 * <p>
 * Statements go through Spring's {@link JdbcClient}, so an enqueue inside a Spring-managed
 * transaction on the same {@link DataSource} joins it. Every statement that changes a running
 * task checks that it is still {@code RUNNING} on the calling node: a task that was taken away
 * (recovered from a node declared dead) is not overwritten by its old runner.
 */
public final class TaskTable {

	static final String COLUMNS = """
			id, name, queue, owner, status, args::text AS args, attempt, max_attempts, created_at, run_at,
			started_at, finished_at, result::text AS result, error::text AS error, progress::text AS progress,
			checkpoint::text AS checkpoint, rescues, started_by, trace_context::text AS trace_context""";

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
	// which cost the driver far less than timestamps.
	private static final String CLAIM = """
			WITH claimed AS (
				UPDATE %1$s SET status = 'RUNNING', attempt = attempt + 1, started_at = now(), node_id = :node
				WHERE id IN (
					SELECT id FROM %1$s
					WHERE status = 'PENDING' AND run_at <= now() AND name = ANY(:names)
						AND (queue = ANY(:queues)) <> :exceptQueues
						AND NOT EXISTS (SELECT 1 FROM %2$s AS q WHERE q.name = queue AND q.paused)
					ORDER BY priority DESC, run_at, id
					LIMIT :limit
					FOR UPDATE SKIP LOCKED)
					AND (SELECT set_config('synchronous_commit', 'off', true)) = 'off'
				RETURNING id, name, queue, owner, status, args, attempt, max_attempts, created_at, run_at, started_at,
					checkpoint, rescues, started_by, priority, trace_context)
			SELECT id, name, queue, owner, status, args::text, attempt, max_attempts,
				(extract(epoch FROM created_at) * 1000000)::bigint, (extract(epoch FROM run_at) * 1000000)::bigint,
				(extract(epoch FROM started_at) * 1000000)::bigint, checkpoint::text, rescues, started_by,
				trace_context::text
			FROM claimed
			ORDER BY priority DESC, run_at, id""";

	private static final String COMPLETE = """
			UPDATE %s SET status = 'SUCCESS', result = :result::jsonb, finished_at = now(), expires_at = now() + ttl
			WHERE id = :id AND status = 'RUNNING' AND node_id = :node AND attempt = :attempt""";

	private static final String FAIL = """
			UPDATE %s SET status = 'FAILURE', result = :result::jsonb, error = :error::jsonb, finished_at = now(),
				expires_at = now() + ttl
			WHERE id = :id AND status = 'RUNNING' AND node_id = :node AND attempt = :attempt""";

	// With events on, a task's end and its event are one statement: neither exists without the
	// other, and the event is published only once the end has committed.
	private static final String WITH_EVENT = """
			WITH ended AS (%s RETURNING id, name, owner, status, result, error),
			event AS (
				INSERT INTO %s (task_id, name, owner, outcome, result, error)
				SELECT id, name, owner, status, result, error FROM ended)
			SELECT count(*), pg_notify(:channel, 'outbox') FROM ended""";

	// The outcomes of many attempts in one statement, each under the same guard as the single-row
	// statements: still RUNNING on this node, in the same attempt. A retry ('PENDING') keeps the
	// last result and clears the node; a success keeps the last attempt's error. A retry of a task
	// asked to stop is no retry: it ends CANCELLED with the failed attempt's error, read from the
	// row in this statement, so that no cancel committed before it is missed.
	// The guard compares each row with columns of the outcomes, not with constants, so that the
	// planner cannot estimate it from the column statistics: statistics gathered while no task was
	// running say that no row is RUNNING on this node, and the planner then scanned the whole
	// table once and joined each running row against every outcome (300 to 700 ms for 250
	// outcomes in a table of 20,000), instead of looking each outcome up by its id.
	private static final String END_MANY = """
			UPDATE %1$s AS task SET
				status = CASE WHEN outcome.status = 'PENDING' AND task.cancel_requested THEN 'CANCELLED'
					ELSE outcome.status END,
				result = CASE WHEN outcome.status = 'PENDING' AND NOT task.cancel_requested THEN task.result
					ELSE outcome.result::jsonb END,
				error = CASE WHEN outcome.status = 'SUCCESS' THEN task.error ELSE outcome.error::jsonb END,
				finished_at = CASE WHEN outcome.status = 'PENDING' AND NOT task.cancel_requested THEN task.finished_at
					ELSE now() END,
				expires_at = CASE WHEN outcome.status = 'PENDING' AND NOT task.cancel_requested THEN task.expires_at
					ELSE now() + task.ttl END,
				node_id = CASE WHEN outcome.status = 'PENDING' AND NOT task.cancel_requested THEN NULL
					ELSE task.node_id END,
				run_at = CASE WHEN outcome.status = 'PENDING' AND NOT task.cancel_requested
					THEN now() + outcome.delay_millis * interval '1 millisecond' ELSE task.run_at END
			FROM unnest(:ids::bigint[], :attempts::int[], :statuses::text[], :results::text[], :errors::text[],
				:delays::bigint[], array_fill(:node::text, ARRAY[:count]), array_fill('RUNNING'::text, ARRAY[:count]))
				AS outcome(id, attempt, status, result, error, delay_millis, node, running)
			WHERE task.id = outcome.id AND task.status = outcome.running AND task.node_id = outcome.node
				AND task.attempt = outcome.attempt
			RETURNING task.id, task.status%2$s""";

	// With events on, the ends and their events are one statement, as in WITH_EVENT; a retry is
	// not an end and has no event. Identical notifications of one transaction are delivered once.
	private static final String END_MANY_WITH_EVENTS = """
			WITH ended AS (%s),
			event AS (
				INSERT INTO %s (task_id, name, owner, outcome, result, error)
				SELECT id, name, owner, status, result, error FROM ended WHERE status <> 'PENDING')
			SELECT id, status, CASE WHEN status <> 'PENDING' THEN pg_notify(:channel, 'outbox') END FROM ended""";

	private static final String FIND = "SELECT %s FROM %s WHERE id = :id AND owner = :owner";

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

	// The next link of a chain, only while no cancel was requested for the current one: checked
	// in this statement, under a lock on the current link, so that a cancel either commits first
	// and is seen here, or waits for this transaction and then sees (and cancels) the new link.
	private static final String INSERT_NEXT = """
			WITH current AS (
				SELECT name, queue, owner, priority, ttl, coalesce(chain_id, id) AS chain_id, started_by, trace_context
				FROM %1$s
				WHERE id = :id AND NOT cancel_requested
				FOR NO KEY UPDATE),
			next AS (
				INSERT INTO %1$s (name, queue, owner, args, priority, run_at, max_attempts, ttl, chain_id, started_by,
					trace_context)
				SELECT name, queue, owner, :args::jsonb, priority, now(), :maxAttempts, ttl, chain_id, started_by,
					trace_context
				FROM current
				RETURNING id)
			SELECT id, pg_notify(:channel, '') FROM next""";

	private static final String FIND_CHAIN = """
			SELECT %s FROM %s WHERE (id = :id OR chain_id = :id) AND owner = :owner ORDER BY id""";

	// Insert and notify in one round trip. NOTIFY is transactional: listeners hear of the task
	// only when the enqueuing transaction commits, never before the row is visible.
	private static final String INSERT = """
			INSERT INTO %s (name, queue, owner, args, priority, run_at, max_attempts, ttl, started_by, trace_context)
			VALUES (:name, :queue, :owner, :args::jsonb, :priority, now() + :delayMillis * interval '1 millisecond',
				:maxAttempts, :ttlMillis * interval '1 millisecond', :startedBy, :traceContext::jsonb)
			RETURNING id, pg_notify(:channel, '')""";

	// The same with a unique key: if a task with this key is already pending or running for this
	// name and owner, nothing is inserted and the existing task is returned instead
	// (created = false).
	private static final String INSERT_UNIQUE = """
			WITH inserted AS (
				INSERT INTO %1$s (name, queue, owner, args, priority, run_at, max_attempts, ttl, unique_key, started_by,
					trace_context)
				VALUES (:name, :queue, :owner, :args::jsonb, :priority, now() + :delayMillis * interval '1 millisecond',
					:maxAttempts, :ttlMillis * interval '1 millisecond', :uniqueKey, :startedBy, :traceContext::jsonb)
				ON CONFLICT (name, owner, unique_key) WHERE unique_key IS NOT NULL AND status IN ('PENDING', 'RUNNING')
				DO NOTHING
				RETURNING id)
			SELECT id, true AS created, pg_notify(:channel, '') FROM inserted
			UNION ALL
			SELECT id, false, NULL FROM %1$s
			WHERE :uniqueKey::text IS NOT NULL AND name = :name AND owner = :owner AND unique_key = :uniqueKey
				AND status IN ('PENDING', 'RUNNING') AND NOT EXISTS (SELECT 1 FROM inserted)""";

	// Many tasks of one name and options in one statement, and one notification. The ids come
	// from the identity in the order of the rows inserted, so sorting them gives the order of
	// :args. Identical notifications of one transaction are delivered once.
	private static final String INSERT_MANY = """
			WITH inserted AS (
				INSERT INTO %1$s (name, queue, owner, args, priority, run_at, max_attempts, ttl, started_by, trace_context)
				SELECT :name, :queue, :owner, given.args::jsonb, :priority,
					now() + :delayMillis * interval '1 millisecond', :maxAttempts, :ttlMillis * interval '1 millisecond',
					:startedBy, :traceContext::jsonb
				FROM unnest(:args::text[]) WITH ORDINALITY AS given(args, position)
				ORDER BY given.position
				RETURNING id)
			SELECT inserted.id FROM inserted CROSS JOIN (SELECT pg_notify(:channel, '')) AS notified
			ORDER BY inserted.id""";

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

	// With events on, the tasks that a cancel, a snooze or a hand-back ends CANCELLED have their
	// event written in the same statement, as every other end does; the tasks it only changes
	// (asked to stop, snoozed, handed back) have none.
	private static final String WITH_CANCEL_EVENTS = """
			WITH ended AS (%s),
			event AS (
				INSERT INTO %s (task_id, name, owner, outcome, result, error)
				SELECT id, name, owner, status, result, error FROM ended WHERE status = 'CANCELLED')
			SELECT id, status, CASE WHEN status = 'CANCELLED' THEN pg_notify(:channel, 'outbox') END FROM ended""";

	private static final String FIND_STATUS = "SELECT status FROM %s WHERE id = :id AND owner = :owner";

	private static final String IS_CANCEL_REQUESTED = "SELECT cancel_requested FROM %s WHERE id = :id";

	private static final String REPORT_PROGRESS = """
			UPDATE %s SET progress = jsonb_build_object('done', :done, 'total', :total)
			WHERE id = :id AND status = 'RUNNING' AND node_id = :node AND attempt = :attempt""";

	// Save an iterative task's cursor. Run in the chunk's own transaction: if the task was taken
	// from this node meanwhile, nothing is saved and the caller rolls the chunk back.
	private static final String SAVE_CHECKPOINT = """
			UPDATE %s SET checkpoint = :checkpoint::jsonb,
				progress = jsonb_build_object('done', coalesce((progress->>'done')::bigint, 0) + 1, 'total', -1)
			WHERE id = :id AND status = 'RUNNING' AND node_id = :node AND attempt = :attempt""";

	// Back to PENDING for later without spending the attempt: the next claim counts it again.
	// Unless a cancel was requested: then the task ends CANCELLED instead of running again. Read
	// in this statement, so that no cancel that committed before it is missed.
	private static final String SNOOZE = """
			UPDATE %s SET status = CASE WHEN cancel_requested THEN 'CANCELLED' ELSE 'PENDING' END,
				node_id = CASE WHEN cancel_requested THEN node_id END,
				attempt = CASE WHEN cancel_requested THEN attempt ELSE attempt - 1 END,
				run_at = CASE WHEN cancel_requested THEN run_at
					ELSE now() + :delayMillis * interval '1 millisecond' END,
				finished_at = CASE WHEN cancel_requested THEN now() ELSE finished_at END,
				expires_at = CASE WHEN cancel_requested THEN now() + ttl ELSE expires_at END
			WHERE id = :id AND status = 'RUNNING' AND node_id = :node AND attempt = :attempt
			RETURNING id, name, owner, status, result, error""";

	// Give back tasks claimed ahead that never started: the claim is undone, attempt included,
	// and the task keeps its place in the queue.
	private static final String RELEASE_MANY = """
			UPDATE %s SET status = 'PENDING', node_id = NULL, attempt = attempt - 1
			WHERE id = ANY(:ids) AND status = 'RUNNING' AND node_id = :node""";

	// Milliseconds from now until the earliest pending task is due (negative if one is due);
	// no row at all when nothing is pending.
	private static final String MILLIS_UNTIL_NEXT = """
			SELECT (extract(epoch FROM next - now()) * 1000)::bigint FROM (
				SELECT min(run_at) AS next FROM %s WHERE status = 'PENDING' AND name = ANY(:names)) AS pending
			WHERE next IS NOT NULL""";

	// A task handed back keeps its run_at, and so its place in the queue: it was due before the
	// tasks enqueued while it ran. A task that was asked to stop is not handed back to run again:
	// it ends CANCELLED. %2$s narrows it to some of the node's tasks.
	private static final String HAND_BACK = """
			UPDATE %1$s SET status = CASE WHEN cancel_requested THEN 'CANCELLED' ELSE 'PENDING' END,
				node_id = CASE WHEN cancel_requested THEN node_id END,
				rescues = CASE WHEN cancel_requested THEN rescues ELSE rescues + 1 END,
				max_attempts = CASE WHEN cancel_requested THEN max_attempts ELSE max_attempts + 1 END,
				finished_at = CASE WHEN cancel_requested THEN now() ELSE finished_at END,
				expires_at = CASE WHEN cancel_requested THEN now() + ttl ELSE expires_at END
			WHERE status = 'RUNNING' AND node_id = :node%2$s
			RETURNING id, name, owner, status, result, error""";

	// Every node rescues, so rescues are taken one at a time, each under this lock taken before its
	// statements. A rescue whose snapshot predates another's could otherwise find a task that the
	// other handed back and a node started since claimed again, and judge it by the old snapshot of
	// the nodes, in which the claiming node may not exist yet. Keyed by the table's name, so that
	// engines on other schemas of one database never wait on each other.
	private static final String LOCK_RESCUES = "SELECT pg_advisory_xact_lock(hashtext('%s'))";

	// Delete ended tasks past their TTL, except the last runs of each task, which the history
	// keeps however old.
	private static final String PRUNE_EXPIRED = """
			DELETE FROM %1$s WHERE id IN (
				SELECT expired.id FROM %1$s AS expired
				WHERE expired.expires_at < now() AND expired.id NOT IN (
					SELECT recent.id FROM %1$s AS recent
					WHERE recent.name = expired.name AND recent.finished_at IS NOT NULL
					ORDER BY recent.finished_at DESC, recent.id DESC
					LIMIT :keep)
				LIMIT :limit)""";

	// Hand back to PENDING the RUNNING tasks that nothing runs any more (%3$s says which), and
	// wake the idle nodes to run them. One more attempt is granted for each, so the loss does not
	// spend the task's retries.
	// Only a rescuer that heartbeated lately may rescue: after the database was away, every node
	// looks dead until it heartbeats again, and a rescue that waited out the outage for a
	// connection would otherwise hand back the tasks of live nodes. Checked in the statement, on
	// the database clock, so no delay between the check and the update can slip through.
	private static final String RESCUE = """
			UPDATE %1$s AS task SET status = 'PENDING', rescues = rescues + 1,
				max_attempts = max_attempts + 1, node_id = NULL,
				error = jsonb_build_object('type', 'dev.autotask.NodeLost', 'at', now(), 'message',
					'node ' || task.node_id || ' %4$s attempt ' || task.attempt || '; the task was handed back')
			WHERE task.status = 'RUNNING' AND NOT (task.name = ANY(:failNames)) AND %3$s
			AND EXISTS (
				SELECT 1 FROM %2$s AS rescuer
				WHERE rescuer.id = :rescuer AND rescuer.heartbeat_at >= now() - :freshMillis * interval '1 millisecond')
			RETURNING task.id, pg_notify(:channel, '')""";

	// The same for the tasks that asked to fail rather than run again when their node loses them.
	private static final String RESCUE_FAIL = """
			UPDATE %1$s AS task SET status = 'FAILURE', finished_at = now(), expires_at = now() + ttl,
				error = jsonb_build_object('type', 'dev.autotask.NodeLost', 'at', now(), 'message',
					'node ' || task.node_id || ' %4$s attempt ' || task.attempt || '; the task fails as it asked')
			WHERE task.status = 'RUNNING' AND task.name = ANY(:failNames) AND %3$s
			AND EXISTS (
				SELECT 1 FROM %2$s AS rescuer
				WHERE rescuer.id = :rescuer AND rescuer.heartbeat_at >= now() - :freshMillis * interval '1 millisecond')
			RETURNING task.id""";

	// Which tasks a rescue takes: those of nodes that are no longer alive. A node restarted under
	// its old id (autotask.node-id) is alive, but the tasks it claimed before it registered again
	// are orphans all the same.
	private static final String RESCUE_ORPHANED = """
			NOT EXISTS (
				SELECT 1 FROM %s AS node
				WHERE node.id = task.node_id AND node.expires_at >= now() AND node.started_at <= task.started_at)""";

	// Orphans of other nodes are taken only by a rescuer alive without a break for a node's time to
	// live (V8): one whose own row lapsed, as every row does in an outage, waits until the live
	// nodes, which looked as dead as it did, have heartbeated again.
	private static final String RESCUER_STEADY = """
			 AND EXISTS (
				SELECT 1 FROM %s AS steady
				WHERE steady.id = :rescuer AND steady.alive_since <= now() - :steadyMillis * interval '1 millisecond')""";

	// Or those an earlier process of the rescuer's own id claimed: it was killed, and the rescuer,
	// starting under the same id, hands them back at once rather than after a heartbeat interval.
	private static final String RESCUE_EARLIER_LIFE = "task.node_id = :rescuer AND ";

	// Or those the rescuer itself claimed but no longer holds (a claim whose answer was lost, an
	// outcome that could not be written): claimed long enough ago that no claim still in flight
	// is one of them.
	private static final String RESCUE_STRAYED = """
			task.node_id = :rescuer AND NOT (task.id = ANY(:held))
				AND task.started_at < now() - :graceMillis * interval '1 millisecond'""";

	private static final String RETRY = """
			UPDATE %s SET status = 'PENDING', error = :error::jsonb, node_id = NULL,
				run_at = now() + :delayMillis * interval '1 millisecond'
			WHERE id = :id AND status = 'RUNNING' AND node_id = :node AND attempt = :attempt""";

	static final RowMapper<TaskRow> ROW_MAPPER = TaskTable::mapRow;

	private static final RowMapper<TaskRow> CLAIMED_ROW = TaskTable::mapClaimedRow;

	private final JdbcClient jdbc;

	private final TableNames names;

	private final String claim;

	private final String complete;

	private final String fail;

	private final String find;

	private final String findChain;

	private final String insertNext;

	private final String insert;

	private final String insertUnique;

	private final String cancel;

	private final String findStatus;

	private final String countCancellable;

	private final String isCancelRequested;

	private final String reportProgress;

	private final String snooze;

	private final String saveCheckpoint;

	private final String millisUntilNext;

	private final String handBack;

	private final String handBackMany;

	private final String pruneExpired;

	private final Rescue orphans;

	private final Rescue strays;

	private final Rescue earlierLife;

	private final String lockRescues;

	private final TransactionTemplate transaction;

	private final String retry;

	private final String endMany;

	private final String insertMany;

	private final String releaseMany;

	private final boolean events;

	private final String findHistory;

	/**
	 * Create the table's SQL for one schema, without events.
	 * @param dataSource the database
	 * @param names the table names
	 */
	public TaskTable(DataSource dataSource, TableNames names) {
		this(dataSource, names, false);
	}

	/**
	 * Create the table's SQL for one schema.
	 * @param dataSource the database
	 * @param names the table names
	 * @param events whether a task's end also writes its event to the outbox
	 */
	public TaskTable(DataSource dataSource, TableNames names, boolean events) {
		this.jdbc = JdbcClient.create(dataSource);
		this.names = names;
		String table = names.task();
		this.claim = CLAIM.formatted(table, names.queue());
		this.events = events;
		this.complete = withEvent(COMPLETE.formatted(table), names, events);
		this.fail = withEvent(FAIL.formatted(table), names, events);
		this.find = FIND.formatted(COLUMNS, table);
		this.findChain = FIND_CHAIN.formatted(COLUMNS, table);
		this.findHistory = FIND_HISTORY.formatted(COLUMNS, table);
		this.insertNext = INSERT_NEXT.formatted(table);
		this.insert = INSERT.formatted(table);
		this.insertUnique = INSERT_UNIQUE.formatted(table);
		this.cancel = withCancelEvents(CANCEL.formatted(table), names, events);
		this.findStatus = FIND_STATUS.formatted(table);
		this.countCancellable = COUNT_CANCELLABLE.formatted(table);
		this.isCancelRequested = IS_CANCEL_REQUESTED.formatted(table);
		this.reportProgress = REPORT_PROGRESS.formatted(table);
		this.snooze = withCancelEvents(SNOOZE.formatted(table), names, events);
		this.saveCheckpoint = SAVE_CHECKPOINT.formatted(table);
		this.millisUntilNext = MILLIS_UNTIL_NEXT.formatted(table);
		this.handBack = withCancelEvents(HAND_BACK.formatted(table, ""), names, events);
		// The same for some of the node's tasks, which may have started: their attempt stays counted.
		this.handBackMany = withCancelEvents(HAND_BACK.formatted(table, " AND id = ANY(:ids)"), names, events);
		this.pruneExpired = PRUNE_EXPIRED.formatted(table);
		this.orphans = Rescue.of(names, RESCUE_ORPHANED.formatted(names.node()) + RESCUER_STEADY.formatted(names.node()),
				"stopped during", events);
		this.strays = Rescue.of(names, RESCUE_STRAYED, "lost track of", events);
		this.earlierLife = Rescue.of(names, RESCUE_EARLIER_LIFE + RESCUE_ORPHANED.formatted(names.node()),
				"restarted during", events);
		this.lockRescues = LOCK_RESCUES.formatted(table);
		this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		this.retry = RETRY.formatted(table);
		this.endMany = events
				? END_MANY_WITH_EVENTS.formatted(
						END_MANY.formatted(table, ", task.name, task.owner, task.result, task.error"), names.outbox())
				: END_MANY.formatted(table, "");
		this.insertMany = INSERT_MANY.formatted(table);
		this.releaseMany = RELEASE_MANY.formatted(table);
	}

	/**
	 * Claim up to {@code limit} due tasks of any queue for a node.
	 * @param node the claiming node
	 * @param taskNames the tasks the node can run
	 * @param limit the most to claim
	 * @return the claimed tasks, now RUNNING on the node
	 */
	public List<TaskRow> claim(String node, Collection<String> taskNames, int limit) {
		return claim(node, taskNames, List.of(), true, limit);
	}

	/**
	 * Claim up to {@code limit} due tasks of some queues for a node.
	 * @param node the claiming node
	 * @param taskNames the tasks the node can run
	 * @param queues the queues
	 * @param exceptQueues whether to claim from every queue but these instead
	 * @param limit the most to claim
	 * @return the claimed tasks, now RUNNING on the node
	 */
	public List<TaskRow> claim(String node, Collection<String> taskNames, Collection<String> queues,
			boolean exceptQueues, int limit) {
		return this.jdbc.sql(this.claim)
			.param("node", node)
			.param("names", taskNames.toArray(String[]::new))
			.param("queues", queues.toArray(String[]::new))
			.param("exceptQueues", exceptQueues)
			.param("limit", limit)
			.query(CLAIMED_ROW)
			.list();
	}

	/**
	 * Record a success.
	 * @param task the task, as claimed
	 * @param node the node that ran it
	 * @param result the result JSON, or {@code null}
	 * @return whether this attempt was still running on the node
	 */
	public boolean complete(TaskRow task, String node, @Nullable String result) {
		return ended(this.jdbc.sql(this.complete)
			.param("id", task.id())
			.param("attempt", task.attempt())
			.param("node", node)
			.param("result", result));
	}

	/**
	 * Record a final failure.
	 * @param task the task, as claimed
	 * @param node the node that ran it
	 * @param result the visible result (a {@code TaskFailure}'s message), or {@code null}
	 * @param error the error JSON
	 * @return whether this attempt was still running on the node
	 */
	public boolean fail(TaskRow task, String node, @Nullable String result, String error) {
		return ended(this.jdbc.sql(this.fail)
			.param("id", task.id())
			.param("attempt", task.attempt())
			.param("node", node)
			.param("result", result)
			.param("error", error));
	}

	/**
	 * Record the outcomes of many attempts in one statement (and, with events on, their events),
	 * each only if its attempt is still running on the node.
	 * @param node the node that ran them
	 * @param outcomes the outcomes, at most one per task
	 * @return the status written for each task whose outcome was recorded: the outcome's, or
	 * {@code CANCELLED} for a retry of a task asked to stop
	 */
	public Map<Long, String> endMany(String node, List<Outcome> outcomes) {
		int size = outcomes.size();
		Long[] ids = new Long[size];
		Integer[] attempts = new Integer[size];
		String[] statuses = new String[size];
		String[] results = new String[size];
		String[] errors = new String[size];
		Long[] delays = new Long[size];
		for (int i = 0; i < size; i++) {
			Outcome outcome = outcomes.get(i);
			ids[i] = outcome.id();
			attempts[i] = outcome.attempt();
			statuses[i] = outcome.status();
			results[i] = outcome.result();
			errors[i] = outcome.error();
			delays[i] = outcome.delay().toMillis();
		}
		JdbcClient.StatementSpec statement = this.jdbc.sql(this.endMany)
			.param("node", node)
			.param("count", size)
			.param("ids", ids)
			.param("attempts", attempts)
			.param("statuses", statuses)
			.param("results", results)
			.param("errors", errors)
			.param("delays", delays);
		if (this.events) {
			statement = statement.param("channel", this.names.channel());
		}
		Map<Long, String> written = new HashMap<>();
		statement.query((rs) -> {
			written.put(rs.getLong(1), rs.getString(2));
		});
		return written;
	}

	/**
	 * Find a task of one owner.
	 * @param id the task
	 * @param owner the owner asking
	 * @return the task, or empty if it does not exist for that owner
	 */
	public Optional<TaskRow> find(long id, String owner) {
		return this.jdbc.sql(this.find).param("id", id).param("owner", owner).query(ROW_MAPPER).optional();
	}

	/**
	 * A chain of continuations of one owner, by its first task.
	 * @param firstId the first task's id
	 * @param owner the owner asking
	 * @return the chain's tasks in order, empty if the first does not exist for that owner
	 */
	public List<TaskRow> findChain(long firstId, String owner) {
		return this.jdbc.sql(this.findChain).param("id", firstId).param("owner", owner).query(ROW_MAPPER).list();
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
			.query(ROW_MAPPER)
			.list();
	}

	/**
	 * Enqueue the next link of a task's chain: the same task, owner, queue, priority and TTL,
	 * with new arguments. Run in the transaction that ends the current link.
	 * @param task the current link, as claimed
	 * @param args the next link's arguments JSON
	 * @param maxAttempts the attempts the next link allows
	 * @return the next link's id, or empty if a cancel was requested for the current link: the
	 * chain stops there
	 */
	public Optional<Long> insertNext(TaskRow task, String args, int maxAttempts) {
		return this.jdbc.sql(this.insertNext)
			.param("id", task.id())
			.param("args", args)
			.param("maxAttempts", maxAttempts)
			.param("channel", this.names.channel())
			.query((rs, row) -> rs.getLong(1))
			.optional();
	}

	/**
	 * Insert a task and notify listeners when the transaction commits; with a unique key
	 * already pending or running, return that task instead.
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
		// A conflicting task may end between the insert and the look-up: try again then.
		for (int i = 0; i < 3; i++) {
			Optional<Inserted> inserted = insertStatement(this.insertUnique, task, task.args())
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

	/**
	 * Insert many tasks of one name with the same options, and notify listeners once when the
	 * transaction commits.
	 * @param task the options all share (its {@code args} and {@code uniqueKey} are ignored)
	 * @param args each task's JSON array of arguments
	 * @return the new tasks' ids, in the order of {@code args}
	 */
	public List<Long> insertMany(NewTask task, List<String> args) {
		return insertStatement(this.insertMany, task, args.toArray(String[]::new))
			.query((rs, row) -> rs.getLong(1))
			.list();
	}

	// What every insert binds; args is one task's JSON array, or an array of them for insertMany.
	private JdbcClient.StatementSpec insertStatement(String sql, NewTask task, Object args) {
		return this.jdbc.sql(sql)
			.param("name", task.name())
			.param("queue", task.queue())
			.param("owner", task.owner())
			.param("args", args)
			.param("priority", task.priority())
			.param("delayMillis", task.delay().toMillis())
			.param("maxAttempts", task.maxAttempts())
			.param("ttlMillis", task.ttl().toMillis())
			.param("startedBy", task.startedBy())
			.param("traceContext", task.traceContext())
			.param("channel", this.names.channel());
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
			endAll(this.jdbc.sql(this.cancel).param("id", id).param("owner", owner));
		}
		while (this.jdbc.sql(this.countCancellable)
			.param("id", id)
			.param("owner", owner)
			.query(Long.class)
			.single() > 0);
		return this.jdbc.sql(this.findStatus).param("id", id).param("owner", owner).query(String.class).optional();
	}

	/**
	 * Whether a cancel was requested for a task.
	 * @param id the task
	 * @return whether to stop
	 */
	public boolean isCancelRequested(long id) {
		return this.jdbc.sql(this.isCancelRequested).param("id", id).query(Boolean.class).optional().orElse(true);
	}

	/**
	 * Record a running task's progress.
	 * @param task the task, as claimed
	 * @param node the node running it
	 * @param done items done
	 * @param total items in all, or -1 if unknown
	 */
	public void reportProgress(TaskRow task, String node, long done, long total) {
		this.jdbc.sql(this.reportProgress)
			.param("id", task.id())
			.param("attempt", task.attempt())
			.param("node", node)
			.param("done", done)
			.param("total", total)
			.update();
	}

	/**
	 * Save an iterative task's cursor and count the chunk.
	 * @param task the task, as claimed
	 * @param node the node running it
	 * @param checkpoint the cursor JSON
	 * @return whether this attempt was still running on the node
	 */
	public boolean saveCheckpoint(TaskRow task, String node, String checkpoint) {
		return this.jdbc.sql(this.saveCheckpoint)
			.param("id", task.id())
			.param("attempt", task.attempt())
			.param("node", node)
			.param("checkpoint", checkpoint)
			.update() == 1;
	}

	/**
	 * Put a running task back to pending for later, without spending its attempt; or, if a
	 * cancel was requested for it, end it {@code CANCELLED} (with its event, when events are on).
	 * @param task the task, as claimed
	 * @param node the node running it
	 * @param delay how long to wait
	 * @return {@code PENDING} or {@code CANCELLED}, or empty if this attempt was no longer
	 * running on the node
	 */
	public Optional<String> snooze(TaskRow task, String node, Duration delay) {
		return withChannel(this.jdbc.sql(this.snooze)
			.param("id", task.id())
			.param("attempt", task.attempt())
			.param("node", node)
			.param("delayMillis", delay.toMillis())).query((rs, row) -> rs.getString("status")).optional();
	}

	/**
	 * How long until the next pending task of these names is due.
	 * @param taskNames the tasks a node can run
	 * @return the wait (zero or negative if one is due), or empty if none is pending
	 */
	public Optional<Duration> untilNext(Collection<String> taskNames) {
		Long millis = this.jdbc.sql(this.millisUntilNext)
			.param("names", taskNames.toArray(String[]::new))
			.query(Long.class)
			.optional()
			.orElse(null);
		return Optional.ofNullable(millis).map(Duration::ofMillis);
	}

	/**
	 * Hand back the tasks still running on a node that stops, without spending an attempt;
	 * those asked to stop end {@code CANCELLED} instead.
	 * @param node the node
	 * @return how many were handed back or cancelled
	 */
	public int handBack(String node) {
		return endAll(this.jdbc.sql(this.handBack).param("node", node));
	}

	/**
	 * Hand back some tasks a node may have started but cannot end, as a rescue does: the
	 * attempt stays counted and one more is granted. Those asked to stop end {@code CANCELLED}.
	 * @param node the node
	 * @param ids the tasks
	 * @return how many were handed back or cancelled
	 */
	public int handBackMany(String node, Collection<Long> ids) {
		return endAll(this.jdbc.sql(this.handBackMany).param("node", node).param("ids", ids.toArray(Long[]::new)));
	}

	// Runs a statement that returns a row per task it changed (and may end some CANCELLED).
	private int endAll(JdbcClient.StatementSpec statement) {
		return withChannel(statement).query((rs, row) -> rs.getLong(1)).list().size();
	}

	// The channel of the events a statement WITH_CANCEL_EVENTS notifies, when events are on.
	private JdbcClient.StatementSpec withChannel(JdbcClient.StatementSpec statement) {
		return this.events ? statement.param("channel", this.names.channel()) : statement;
	}

	/**
	 * Give back tasks a node claimed but never started, undoing their claim.
	 * @param node the node
	 * @param ids the tasks
	 * @return how many were given back
	 */
	public int releaseMany(String node, Collection<Long> ids) {
		return this.jdbc.sql(this.releaseMany).param("node", node).param("ids", ids.toArray(Long[]::new)).update();
	}

	/**
	 * Delete ended tasks past their TTL, keeping the last runs of each task.
	 * @param keep the runs of each task kept however old
	 * @param limit the most to delete in one statement
	 * @return how many were deleted
	 */
	public int pruneExpired(int keep, int limit) {
		return this.jdbc.sql(this.pruneExpired).param("keep", keep).param("limit", limit).update();
	}

	/**
	 * Hand back, or fail, the tasks RUNNING on nodes that are no longer alive, provided the
	 * rescuing node itself heartbeated lately and has been alive without a break for
	 * {@code steadiness}.
	 * @param rescuer the rescuing node
	 * @param freshness how recent the rescuer's own heartbeat must be
	 * @param steadiness how long the rescuer must have been alive without its row lapsing
	 * @param failNames the tasks that fail rather than run again
	 * @return the ids of the tasks handed back and of those failed
	 */
	public List<Long> rescue(String rescuer, Duration freshness, Duration steadiness, Collection<String> failNames) {
		return rescue(this.orphans, rescuer, freshness, failNames, Map.of("steadyMillis", steadiness.toMillis()));
	}

	/**
	 * Hand back, or fail, the tasks still RUNNING under the rescuing node's id that an earlier
	 * process of that id claimed before it died: called by a node that starts, after it has
	 * registered.
	 * @param rescuer the starting node
	 * @param freshness how recent its heartbeat must be
	 * @param failNames the tasks that fail rather than run again
	 * @return the ids of the tasks handed back and of those failed
	 */
	public List<Long> rescueEarlierLife(String rescuer, Duration freshness, Collection<String> failNames) {
		return rescue(this.earlierLife, rescuer, freshness, failNames, Map.of());
	}

	/**
	 * Hand back, or fail, the tasks RUNNING on the rescuing node that it no longer holds,
	 * provided it heartbeated lately: a claim whose answer it lost, an outcome it could not
	 * write. Only tasks claimed more than {@code grace} ago are taken, so that a claim that has
	 * committed but not yet reached the node's hands is left alone.
	 * @param rescuer the rescuing node
	 * @param freshness how recent its heartbeat must be
	 * @param held the tasks the node holds: claimed, running, or with an outcome to write
	 * @param grace how long a claimed task may take to reach the node's hands
	 * @param failNames the tasks that fail rather than run again
	 * @return the ids of the tasks handed back and of those failed
	 */
	public List<Long> rescueStrays(String rescuer, Duration freshness, Collection<Long> held, Duration grace,
			Collection<String> failNames) {
		return rescue(this.strays, rescuer, freshness, failNames,
				Map.of("held", held.toArray(Long[]::new), "graceMillis", grace.toMillis()));
	}

	private List<Long> rescue(Rescue rescue, String rescuer, Duration freshness, Collection<String> failNames,
			Map<String, Object> params) {
		return this.transaction.execute((status) -> {
			this.jdbc.sql(this.lockRescues).query().singleValue();
			List<Long> ids = new ArrayList<>();
			for (String sql : List.of(rescue.handBack(), rescue.fail())) {
				ids.addAll(this.jdbc.sql(sql)
					.params(params)
					.param("failNames", failNames.toArray(String[]::new))
					.param("rescuer", rescuer)
					.param("freshMillis", freshness.toMillis())
					.param("channel", this.names.channel())
					.query((rs, row) -> rs.getLong(1))
					.list());
			}
			return ids;
		});
	}

	private boolean ended(JdbcClient.StatementSpec statement) {
		if (!this.events) {
			return statement.update() == 1;
		}
		return statement.param("channel", this.names.channel()).query((rs, row) -> rs.getLong(1)).single() == 1;
	}

	private static String withCancelEvents(String statement, TableNames names, boolean events) {
		return events ? WITH_CANCEL_EVENTS.formatted(statement, names.outbox()) : statement;
	}

	private static String withEvent(String update, TableNames names, boolean events) {
		return events ? WITH_EVENT.formatted(update, names.outbox()) : update;
	}

	/**
	 * Put a failed task back to pending for another attempt.
	 * @param task the task, as claimed
	 * @param node the node that ran it
	 * @param error the error JSON of the failed attempt
	 * @param delay the wait before the next attempt
	 * @return whether this attempt was still running on the node
	 */
	public boolean retry(TaskRow task, String node, String error, Duration delay) {
		return this.jdbc.sql(this.retry)
			.param("id", task.id())
			.param("attempt", task.attempt())
			.param("node", node)
			.param("error", error)
			.param("delayMillis", delay.toMillis())
			.update() == 1;
	}

	private static TaskRow mapRow(ResultSet rs, int row) throws SQLException {
		return new TaskRow(rs.getLong("id"), rs.getString("name"), rs.getString("queue"), rs.getString("owner"),
				rs.getString("status"), rs.getString("args"), rs.getInt("attempt"), rs.getInt("max_attempts"),
				instant(rs, "created_at"), instant(rs, "run_at"), instantOrNull(rs, "started_at"),
				instantOrNull(rs, "finished_at"), rs.getString("result"), rs.getString("error"), rs.getString("progress"),
				rs.getString("checkpoint"), rs.getInt("rescues"), rs.getString("started_by"), rs.getString("trace_context"));
	}

	private static TaskRow mapClaimedRow(ResultSet rs, int row) throws SQLException {
		return new TaskRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
				rs.getString(6), rs.getInt(7), rs.getInt(8), micros(rs.getLong(9)), micros(rs.getLong(10)),
				micros(rs.getLong(11)), null, null, null, null, rs.getString(12), rs.getInt(13), rs.getString(14),
				rs.getString(15));
	}

	private static Instant micros(long micros) {
		return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		return rs.getObject(column, OffsetDateTime.class).toInstant();
	}

	private static @Nullable Instant instantOrNull(ResultSet rs, String column) throws SQLException {
		OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
		return (value != null) ? value.toInstant() : null;
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
	 * @param startedBy the user it is started as, or {@code null}
	 * @param traceContext the JSON object of the enqueuing trace's propagation fields, or
	 * {@code null} without a tracer
	 */
	public record NewTask(String name, String queue, String owner, String args, int priority, Duration delay,
			int maxAttempts, Duration ttl, @Nullable String uniqueKey, @Nullable String startedBy,
			@Nullable String traceContext) {

	}

	/**
	 * How one attempt ended, to record with others.
	 *
	 * @param id the task
	 * @param attempt the attempt, as claimed
	 * @param status {@code SUCCESS}, {@code FAILURE}, {@code CANCELLED} (stopped on a cancel
	 * request), or {@code PENDING} for a retry
	 * @param result the result JSON (success and failure), or {@code null}
	 * @param error the error JSON (failure and retry), or {@code null}
	 * @param delay the wait before a retry, zero otherwise
	 */
	public record Outcome(long id, int attempt, String status, @Nullable String result, @Nullable String error,
			Duration delay) {

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

	/**
	 * The two statements of one kind of rescue: hand back, and fail those that ask to.
	 */
	private record Rescue(String handBack, String fail) {

		static Rescue of(TableNames names, String which, String happened, boolean events) {
			String fail = RESCUE_FAIL.formatted(names.task(), names.node(), which, happened);
			if (events) {
				// The failures end their tasks: with their events, in the same statement.
				fail = withEvent(fail.replace("RETURNING task.id", ""), names, true)
					.replace("SELECT count(*), pg_notify(:channel, 'outbox') FROM ended",
							"SELECT ended.id, pg_notify(:channel, 'outbox') FROM ended");
			}
			return new Rescue(RESCUE.formatted(names.task(), names.node(), which, happened), fail);
		}

	}

}
