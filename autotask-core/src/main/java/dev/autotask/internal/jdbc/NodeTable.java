package dev.autotask.internal.jdbc;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;

import javax.sql.DataSource;

import dev.autotask.NodeInfo;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The SQL of {@code autotask_node}: the nodes alive, each renewed by its own heartbeat.
 */
public final class NodeTable {

	private static final String DELETE = "DELETE FROM %s WHERE id = :node";

	// Dead nodes are forgotten once their tasks had time to be rescued.
	private static final String DELETE_EXPIRED = "DELETE FROM %s WHERE expires_at < now() - interval '1 hour'";

	// With each node, the tasks RUNNING on it: a look-up of the running-task index (V10) per node.
	private static final String FIND_ALIVE = """
			SELECT node.id, node.started_at, node.heartbeat_at, node.expires_at, node.workers, node.claimed_ahead,
				(SELECT count(*) FROM %2$s AS task WHERE task.status = 'RUNNING' AND task.node_id = node.id) AS running
			FROM %1$s AS node
			WHERE node.expires_at >= now()
			ORDER BY node.id""";

	// When the next of the other nodes expires unless it heartbeats first, on the database clock,
	// so that the rescuers look right then rather than at their next tick; and whether one of them
	// expired or registered lately, so that they read the task table only when a node may have
	// left orphans.
	private static final String FIND_CHANGES = """
			SELECT ceil(extract(epoch FROM min(expires_at) FILTER (WHERE expires_at >= now()) - now()) * 1000)::bigint,
				coalesce(bool_or((expires_at < now() AND expires_at >= now() - :recentMillis * interval '1 millisecond')
					OR started_at >= now() - :recentMillis * interval '1 millisecond'), false)
			FROM %s
			WHERE id <> :node""";

	// The node reports what only it knows: how many tasks it claimed ahead of its workers (V13).
	private static final String HEARTBEAT = """
			INSERT INTO %s AS node (id, started_at, heartbeat_at, expires_at, workers, claimed_ahead)
			VALUES (:node, now(), now(), now() + :ttlMillis * interval '1 millisecond', :workers, :claimedAhead)
			ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), expires_at = EXCLUDED.expires_at,
				claimed_ahead = EXCLUDED.claimed_ahead,
				alive_since = CASE WHEN node.expires_at < now() THEN now() ELSE node.alive_since END""";


	// A node restarted under the id it had before starts a new life: what it claimed before is
	// no longer its own, and the rescue tells the two apart by started_at.
	private static final String REGISTER = """
			INSERT INTO %s AS node (id, started_at, heartbeat_at, expires_at, workers)
			VALUES (:node, now(), now(), now() + :ttlMillis * interval '1 millisecond', :workers)
			ON CONFLICT (id) DO UPDATE
				SET started_at = now(), heartbeat_at = now(), expires_at = EXCLUDED.expires_at, workers = EXCLUDED.workers,
					alive_since = now(), claimed_ahead = 0""";

	private final JdbcClient jdbc;

	private final String delete;

	private final String deleteExpired;

	private final String findAlive;

	private final String findChanges;

	private final String heartbeat;


	private final String register;

	/**
	 * Create the table's SQL.
	 * @param dataSource the database
	 * @param names the table names
	 */
	public NodeTable(DataSource dataSource, TableNames names) {
		this.jdbc = JdbcClient.create(dataSource);
		String table = names.node();
		this.delete = DELETE.formatted(table);
		this.deleteExpired = DELETE_EXPIRED.formatted(table);
		this.findAlive = FIND_ALIVE.formatted(table, names.task());
		this.findChanges = FIND_CHANGES.formatted(table);
		this.heartbeat = HEARTBEAT.formatted(table);
		this.register = REGISTER.formatted(table);
	}

	/**
	 * Remove a node that stops.
	 * @param node the node
	 */
	public void delete(String node) {
		this.jdbc.sql(this.delete).param("node", node).update();
	}

	/**
	 * Forget nodes dead for long.
	 * @return how many were forgotten
	 */
	public int deleteExpired() {
		return this.jdbc.sql(this.deleteExpired).update();
	}

	/**
	 * The nodes alive now.
	 * @return the nodes
	 */
	public List<NodeInfo> findAlive() {
		return this.jdbc.sql(this.findAlive)
			.query((rs, row) -> new NodeInfo(rs.getString("id"), rs.getObject("started_at", OffsetDateTime.class).toInstant(),
					rs.getObject("heartbeat_at", OffsetDateTime.class).toInstant(),
					rs.getObject("expires_at", OffsetDateTime.class).toInstant(), rs.getInt("workers"),
					rs.getInt("running"), rs.getInt("claimed_ahead")))
			.list();
	}

	/**
	 * What changed lately among the other nodes, as a rescuer needs to know.
	 * @param node the node that asks
	 * @param recent how far back a change counts as recent
	 * @return the changes
	 */
	public Changes findChanges(String node, Duration recent) {
		return this.jdbc.sql(this.findChanges)
			.param("node", node)
			.param("recentMillis", recent.toMillis())
			.query((rs, row) -> {
				long millis = rs.getLong(1);
				return new Changes(rs.wasNull() ? null : Duration.ofMillis(millis), rs.getBoolean(2));
			})
			.single();
	}

	/**
	 * Register a node or renew its heartbeat.
	 * @param node the node
	 * @param workers its worker threads
	 * @param ttlMillis how long it counts as alive without another heartbeat
	 * @param claimedAhead how many tasks it holds claimed ahead of its workers, not started yet
	 */
	public void heartbeat(String node, int workers, long ttlMillis, int claimedAhead) {
		this.jdbc.sql(this.heartbeat)
			.param("node", node)
			.param("workers", workers)
			.param("ttlMillis", ttlMillis)
			.param("claimedAhead", claimedAhead)
			.update();
	}

	/**
	 * Register a node that starts, as started now even if a node of that id ran before.
	 * @param node the node
	 * @param workers its worker threads
	 * @param ttlMillis how long it counts as alive without a heartbeat
	 */
	public void register(String node, int workers, long ttlMillis) {
		this.jdbc.sql(this.register).param("node", node).param("workers", workers).param("ttlMillis", ttlMillis).update();
	}

	/**
	 * What changed lately among the other nodes.
	 *
	 * @param untilNextExpiry how long until the next of them expires unless it heartbeats first,
	 * on the database clock; {@code null} if none is alive
	 * @param recent whether one of them expired or registered lately
	 */
	public record Changes(@Nullable Duration untilNextExpiry, boolean recent) {

	}

	/**
	 * A node alive.
	 *
	 * @param id its id
	 * @param startedAt when it registered
	 * @param heartbeatAt its last heartbeat
	 * @param expiresAt when it counts as dead without another heartbeat
	 * @param workers its worker threads
	 */
}
