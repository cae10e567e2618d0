package dev.autotask.internal.jdbc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The SQL of {@code autotask_task} that the supervisor runs: rescues of the tasks that nothing
 * runs any more, and the pruning of expired ones. The table is created by
 * {@code V1__create_autotask_task.sql} (columns added by V2, V3, V4 and V7); a rescue reads
 * {@code autotask_node} ({@code V2__create_autotask_supervision.sql}, {@code alive_since} from
 * {@code V8__node_alive_since.sql}).
 */
public final class TaskMaintenanceTable {

	// Every node rescues, so rescues are taken one at a time, each under this lock taken before its
	// statements. A rescue whose snapshot predates another's could otherwise find a task that the
	// other handed back and a node started since claimed again, and judge it by the old snapshot of
	// the nodes, in which the claiming node may not exist yet. Keyed by the table's name, so that
	// engines on other schemas of one database never wait on each other.
	private static final String LOCK_RESCUES = "SELECT pg_advisory_xact_lock(hashtext('%s'))";

	// A key's rate whose next start has passed holds nothing back: its row says no more than a
	// missing one (V20), and the keyed claim writes it again at the key's next start.
	private static final String PRUNE_KEY_RATES = "DELETE FROM %s WHERE next_start < now() - interval '1 minute'";

	// A group nothing reads any more: its callback enqueued, its TTL past since the group was
	// sent, and its callback and members gone (pruned or deleted); its members are found by V21's
	// index. Groups whose members the history keeps stay.
	private static final String PRUNE_GROUPS = """
			DELETE FROM %1$s WHERE id IN (
				SELECT grp.id FROM %1$s AS grp
				WHERE grp.callback_task_id IS NOT NULL AND grp.created_at < now() - grp.callback_ttl
					AND NOT EXISTS (SELECT 1 FROM %2$s AS task WHERE task.id = grp.callback_task_id)
					AND NOT EXISTS (SELECT 1 FROM %2$s AS task WHERE task.group_id = grp.id)
				LIMIT :limit)""";

	// Delete ended tasks past their TTL, except the last runs of each task, which the history
	// keeps however old. Those last runs are found once per statement: the task names by a skip
	// scan of the history index (one probe per name), then each name's last runs, against which
	// the expired rows are checked by hash. A subquery per expired row took 9 of a row's 13 µs,
	// and the pruner must keep up with the engine's ends.
	private static final String PRUNE_EXPIRED = """
			WITH RECURSIVE names AS (
				(SELECT name FROM %1$s WHERE finished_at IS NOT NULL ORDER BY name LIMIT 1)
				UNION ALL
				SELECT (SELECT task.name FROM %1$s AS task
					WHERE task.finished_at IS NOT NULL AND task.name > names.name ORDER BY task.name LIMIT 1)
				FROM names WHERE names.name IS NOT NULL),
			kept AS (
				SELECT recent.id FROM names CROSS JOIN LATERAL (
					SELECT task.id FROM %1$s AS task
					WHERE task.name = names.name AND task.finished_at IS NOT NULL
					ORDER BY task.finished_at DESC, task.id DESC
					LIMIT :keep) AS recent)
			DELETE FROM %1$s WHERE id IN (
				SELECT expired.id FROM %1$s AS expired
				WHERE expired.expires_at < now() - :ageMicros * interval '1 microsecond'
					AND expired.id NOT IN (SELECT id FROM kept)
				LIMIT :limit)""";

	// Hand back to PENDING the RUNNING tasks that nothing runs any more (%3$s says which:
	// RESCUE_ORPHANED, RESCUE_EARLIER_LIFE or RESCUE_STRAYED), and wake the idle nodes to run them.
	// One more attempt is granted for each, so the loss does not spend the task's retries.
	// Only a rescuer that heartbeated lately may rescue: after the database was away, every node
	// looks dead until it heartbeats again, and a rescue that waited out the outage for a
	// connection would otherwise hand back the tasks of live nodes. Checked in the statement, on
	// the database clock, so no delay between the check and the update can slip through. The
	// error's message goes to error_search as well, lower-cased, for the console's search (V22).
	private static final String RESCUE = """
			UPDATE %1$s AS task SET status = 'PENDING', rescues = rescues + 1,
				max_attempts = max_attempts + 1, node_id = NULL,
				error = jsonb_build_object('type', 'dev.autotask.NodeLost', 'at', now(), 'message',
					'node ' || task.node_id || ' %4$s attempt ' || task.attempt || '; the task was handed back'),
				error_search = left(lower(
					'node ' || task.node_id || ' %4$s attempt ' || task.attempt || '; the task was handed back'), 500),
				attempt_errors = coalesce(task.attempt_errors, '[]'::jsonb) || jsonb_build_array(jsonb_build_object(
					'attempt', task.attempt, 'at', now(), 'node', task.node_id, 'type', 'dev.autotask.NodeLost',
					'message', 'node ' || task.node_id || ' %4$s attempt ' || task.attempt))
			WHERE task.status = 'RUNNING' AND NOT (task.name = ANY(:failNames)) AND %3$s
			AND EXISTS (
				SELECT 1 FROM %2$s AS rescuer
				WHERE rescuer.id = :rescuer AND rescuer.heartbeat_at >= now() - :freshMillis * interval '1 millisecond')
			RETURNING task.id, pg_notify(:channel, '')""";

	// A rescue may also take the tasks an earlier process of the rescuer's own id claimed (and
	// that are orphans, RESCUE_ORPHANED): it was killed, and the rescuer, starting under the same
	// id, hands them back at once rather than after a heartbeat interval.
	private static final String RESCUE_EARLIER_LIFE = "task.node_id = :rescuer AND ";

	// RESCUE for the tasks that asked to fail rather than run again when their node loses them.
	private static final String RESCUE_FAIL = """
			UPDATE %1$s AS task SET status = 'FAILURE', finished_at = now(), expires_at = now() + ttl,
				error = jsonb_build_object('type', 'dev.autotask.NodeLost', 'at', now(), 'message',
					'node ' || task.node_id || ' %4$s attempt ' || task.attempt || '; the task fails as it asked'),
				error_search = left(lower(
					'node ' || task.node_id || ' %4$s attempt ' || task.attempt || '; the task fails as it asked'), 500),
				attempt_errors = coalesce(task.attempt_errors, '[]'::jsonb) || jsonb_build_array(jsonb_build_object(
					'attempt', task.attempt, 'at', now(), 'node', task.node_id, 'type', 'dev.autotask.NodeLost',
					'message', 'node ' || task.node_id || ' %4$s attempt ' || task.attempt))
			WHERE task.status = 'RUNNING' AND task.name = ANY(:failNames) AND %3$s
			AND EXISTS (
				SELECT 1 FROM %2$s AS rescuer
				WHERE rescuer.id = :rescuer AND rescuer.heartbeat_at >= now() - :freshMillis * interval '1 millisecond')
			RETURNING task.id""";

	// Which tasks a rescue of orphans takes: those of nodes that are no longer alive. A node
	// restarted under its old id (autotask.node-id) is alive, but the tasks it claimed before it
	// registered again are orphans all the same.
	private static final String RESCUE_ORPHANED = """
			NOT EXISTS (
				SELECT 1 FROM %s AS node
				WHERE node.id = task.node_id AND node.expires_at >= now() AND node.started_at <= task.started_at)""";

	// Which tasks a rescue of strays takes: those the rescuer itself claimed but no longer holds (a
	// claim whose answer was lost, an outcome that could not be written), claimed long enough ago
	// that no claim still in flight is one of them.
	private static final String RESCUE_STRAYED = """
			task.node_id = :rescuer AND NOT (task.id = ANY(:held))
				AND task.started_at < now() - :graceMillis * interval '1 millisecond'""";

	// Orphans of other nodes are taken only by a rescuer alive without a break for a node's time to
	// live (V8): one whose own row lapsed, as every row does in an outage, waits until the live
	// nodes, which looked as dead as it did, have heartbeated again.
	private static final String RESCUER_STEADY = """
			 AND EXISTS (
				SELECT 1 FROM %s AS steady
				WHERE steady.id = :rescuer AND steady.alive_since <= now() - :steadyMillis * interval '1 millisecond')""";

	private final JdbcClient jdbc;

	private final TableNames names;

	private final TransactionTemplate transaction;

	private final String lockRescues;

	private final String pruneExpired;

	private final String pruneKeyRates;

	private final String pruneGroups;

	private final Rescue earlierLife;

	private final Rescue orphans;

	private final Rescue strays;

	/**
	 * Create the statements for one schema.
	 * @param dataSource the database
	 * @param names the table names
	 * @param events whether a task that a rescue fails also writes its event to the outbox
	 */
	public TaskMaintenanceTable(DataSource dataSource, TableNames names, boolean events) {
		this.jdbc = JdbcClient.create(dataSource);
		this.names = names;
		this.transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
		TaskEvents taskEvents = new TaskEvents(names, events);
		String table = names.task();
		this.lockRescues = LOCK_RESCUES.formatted(table);
		this.pruneExpired = PRUNE_EXPIRED.formatted(table);
		this.pruneKeyRates = PRUNE_KEY_RATES.formatted(names.keyRate());
		this.pruneGroups = PRUNE_GROUPS.formatted(names.group(), table);
		this.earlierLife = Rescue.of(names, RESCUE_EARLIER_LIFE + RESCUE_ORPHANED.formatted(names.node()),
				"restarted during", taskEvents);
		this.orphans = Rescue.of(names,
				RESCUE_ORPHANED.formatted(names.node()) + RESCUER_STEADY.formatted(names.node()), "stopped during",
				taskEvents);
		this.strays = Rescue.of(names, RESCUE_STRAYED, "lost track of", taskEvents);
	}

	/**
	 * Delete ended tasks whose TTL had passed some time ago, keeping the last runs of each task.
	 * @param keep the runs of each task kept however old
	 * @param limit the most to delete in one statement
	 * @param before how long before now the TTL must have passed: zero for every expired task
	 * @return how many were deleted
	 */
	public int pruneExpired(int keep, int limit, Duration before) {
		return this.jdbc.sql(this.pruneExpired)
			.param("keep", keep)
			.param("limit", limit)
			.param("ageMicros", TimeUnit.NANOSECONDS.toMicros(before.toNanos()))
			.update();
	}

	/**
	 * Delete the groups whose callback and members are all gone.
	 * @param limit the most to delete in one statement
	 * @return how many were deleted
	 */
	public int pruneGroups(int limit) {
		return this.jdbc.sql(this.pruneGroups).param("limit", limit).update();
	}

	/**
	 * Delete the rates of concurrency keys that hold nothing back any more.
	 * @return how many were deleted
	 */
	public int pruneKeyRates() {
		return this.jdbc.sql(this.pruneKeyRates).update();
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

	/**
	 * The two statements of one kind of rescue: hand back, and fail those that ask to.
	 */
	private record Rescue(String handBack, String fail) {

		static Rescue of(TableNames names, String which, String happened, TaskEvents events) {
			String fail = RESCUE_FAIL.formatted(names.task(), names.node(), which, happened);
			if (events.on()) {
				// The failures end their tasks: with their events, in the same statement.
				fail = events.withEvent(fail.replace("RETURNING task.id", ""))
					.replace("SELECT count(*), pg_notify(:channel, 'outbox') FROM ended",
							"SELECT ended.id, pg_notify(:channel, 'outbox') FROM ended");
			}
			return new Rescue(RESCUE.formatted(names.task(), names.node(), which, happened), fail);
		}

	}

}
