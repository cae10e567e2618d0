package dev.autotask.internal.jdbc;

import java.time.Duration;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The SQL of {@code autotask_leader}, the supervisor marker. The lease is always measured on
 * the database clock.
 */
public final class LeaderTable {

	// Take the lead if nobody holds it, its lease has lapsed, or we already hold it.
	private static final String ATTEMPT_ELECT = """
			INSERT INTO %1$s AS leader (name, leader_id, elected_at, expires_at)
			VALUES ('default', :node, now(), now() + :leaseMillis * interval '1 millisecond')
			ON CONFLICT (name) DO UPDATE
				SET leader_id = EXCLUDED.leader_id, elected_at = EXCLUDED.elected_at, expires_at = EXCLUDED.expires_at
				WHERE leader.expires_at < now() OR leader.leader_id = EXCLUDED.leader_id
			RETURNING leader_id""";

	// Renew only a lease we still hold and that has not lapsed: a leader that was too slow to
	// renew must not take the lead back from a successor.
	private static final String ATTEMPT_REELECT = """
			UPDATE %s SET expires_at = now() + :leaseMillis * interval '1 millisecond'
			WHERE name = 'default' AND leader_id = :node AND expires_at >= now()""";

	private static final String FIND_LEADER = "SELECT leader_id FROM %s WHERE name = 'default' AND expires_at >= now()";

	// How long the lease held now still runs, on the database clock: a node that does not lead tries
	// again right when it lapses rather than at its next tick.
	private static final String MILLIS_UNTIL_LAPSE = """
			SELECT ceil(extract(epoch FROM expires_at - now()) * 1000)::bigint FROM %s WHERE name = 'default'""";

	// Tell the other nodes, so that one of them takes the lead now rather than at its next tick.
	private static final String RESIGN = """
			WITH resigned AS (DELETE FROM %s WHERE name = 'default' AND leader_id = :node RETURNING leader_id)
			SELECT (SELECT count(*) FROM resigned), pg_notify(:channel, 'leader')""";

	private final JdbcClient jdbc;

	private final String attemptElect;

	private final String attemptReelect;

	private final String findLeader;

	private final String millisUntilLapse;

	private final String resign;

	private final String channel;

	/**
	 * Create the table's SQL.
	 * @param dataSource the database
	 * @param names the table names
	 */
	public LeaderTable(DataSource dataSource, TableNames names) {
		this.jdbc = JdbcClient.create(dataSource);
		String table = names.leader();
		this.attemptElect = ATTEMPT_ELECT.formatted(table);
		this.attemptReelect = ATTEMPT_REELECT.formatted(table);
		this.findLeader = FIND_LEADER.formatted(table);
		this.millisUntilLapse = MILLIS_UNTIL_LAPSE.formatted(table);
		this.resign = RESIGN.formatted(table);
		this.channel = names.channel();
	}

	/**
	 * Try to become the leader.
	 * @param node this node
	 * @param leaseMillis the lease
	 * @return whether this node now leads
	 */
	public boolean attemptElect(String node, long leaseMillis) {
		return this.jdbc.sql(this.attemptElect)
			.param("node", node)
			.param("leaseMillis", leaseMillis)
			.query(String.class)
			.optional()
			.isPresent();
	}

	/**
	 * Renew the lease of a node that leads.
	 * @param node this node
	 * @param leaseMillis the lease
	 * @return whether this node still leads
	 */
	public boolean attemptReelect(String node, long leaseMillis) {
		return this.jdbc.sql(this.attemptReelect).param("node", node).param("leaseMillis", leaseMillis).update() == 1;
	}

	/**
	 * The current leader.
	 * @return its node id, or {@code null} if no lease is valid now
	 */
	public @Nullable String findLeader() {
		return this.jdbc.sql(this.findLeader).query(String.class).optional().orElse(null);
	}

	/**
	 * How long until the lease held now lapses.
	 * @return the time on the database clock, negative if it has lapsed, or {@code null} if no
	 * node holds it
	 */
	public @Nullable Duration untilLapse() {
		Long millis = this.jdbc.sql(this.millisUntilLapse).query(Long.class).optional().orElse(null);
		return (millis != null) ? Duration.ofMillis(millis) : null;
	}

	/**
	 * Give up the lead, so that another node can take it at once.
	 * @param node this node
	 * @return whether this node led
	 */
	public boolean resign(String node) {
		return this.jdbc.sql(this.resign)
			.param("node", node)
			.param("channel", this.channel)
			.query((rs, row) -> rs.getLong(1))
			.single() == 1;
	}

}
