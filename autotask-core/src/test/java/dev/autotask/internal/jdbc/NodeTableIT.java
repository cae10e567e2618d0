package dev.autotask.internal.jdbc;

import java.time.Duration;
import java.util.List;

import dev.autotask.NodeInfo;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * What a rescuer reads of the other nodes: when the next of them expires, on the database
 * clock, and whether one of them expired or registered lately.
 */
class NodeTableIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final Duration RECENT = Duration.ofSeconds(15);

	private NodeTable table;

	private TaskRows rows;

	@BeforeEach
	void setUp() {
		this.table = new NodeTable(postgres.dataSource(), new TableNames(postgres.schema()));
		this.rows = new TaskRows(postgres);
		postgres.jdbc().sql("DELETE FROM autotask_node").update();
	}

	@Test
	void aliveSinceOutlivesHeartbeatsButNotALapseOrARestart() {
		this.table.register("me", 1, 10_000);
		setAliveSince("me", "now() - interval '1 hour'");

		this.table.heartbeat("me", 1, 10_000, 0);
		assertThat(aliveSinceSecondsAgo("me")).as("a heartbeat in time keeps it").isGreaterThan(3_000);

		postgres.jdbc().sql("UPDATE autotask_node SET expires_at = now() - interval '1 second' WHERE id = 'me'").update();
		this.table.heartbeat("me", 1, 10_000, 0);
		assertThat(aliveSinceSecondsAgo("me")).as("a heartbeat after the row lapsed starts it again").isLessThan(5);

		setAliveSince("me", "now() - interval '1 hour'");
		this.table.register("me", 1, 10_000);
		assertThat(aliveSinceSecondsAgo("me")).as("a restart starts it again").isLessThan(5);
	}

	@Test
	void aliveNodesCountTheTasksRunningOnEach() {
		TaskRows rows = new TaskRows(postgres);
		this.table.register("busy", 4, 60_000);
		this.table.register("idle", 2, 60_000);
		rows.aRunningTask("report", "busy");
		rows.aRunningTask("report", "busy");
		rows.aPendingTask("report", "test", "[]");

		assertThat(this.table.findAlive()).filteredOn((node) -> List.of("busy", "idle").contains(node.id()))
			.extracting(NodeInfo::id, NodeInfo::workers, NodeInfo::running)
			.containsExactly(tuple("busy", 4, 2), tuple("idle", 2, 0));
	}

	@Test
	void aHeartbeatReportsTheTasksClaimedAheadAndARestartForgetsThem() {
		this.table.register("me", 4, 60_000);
		this.table.heartbeat("me", 4, 60_000, 7);
		assertThat(this.table.findAlive()).extracting(NodeInfo::id, NodeInfo::claimedAhead)
			.containsExactly(tuple("me", 7));

		this.table.register("me", 4, 60_000);
		assertThat(this.table.findAlive()).extracting(NodeInfo::id, NodeInfo::claimedAhead)
			.containsExactly(tuple("me", 0));
	}

	private void setAliveSince(String node, String time) {
		postgres.jdbc().sql("UPDATE autotask_node SET alive_since = " + time + " WHERE id = ?").param(node).update();
	}

	private double aliveSinceSecondsAgo(String node) {
		return postgres.jdbc()
			.sql("SELECT extract(epoch FROM now() - alive_since) FROM autotask_node WHERE id = ?")
			.param(node)
			.query(Double.class)
			.single();
	}

	@Test
	void nextExpiryIsTheSoonestOfTheOtherNodesAlive() {
		this.rows.aNode("me", Duration.ofSeconds(1));
		this.rows.aNode("soon", Duration.ofSeconds(4));
		this.rows.aNode("later", Duration.ofSeconds(9));
		this.rows.aNode("dead", Duration.ofSeconds(-1));

		NodeTable.Changes changes = this.table.findChanges("me", RECENT);

		assertThat(changes.untilNextExpiry()).isBetween(Duration.ofMillis(3_500), Duration.ofSeconds(4));
	}

	@Test
	void noOtherNodeAliveHasNoNextExpiry() {
		this.rows.aNode("me", Duration.ofSeconds(10));

		assertThat(this.table.findChanges("me", RECENT).untilNextExpiry()).isNull();
	}

	@Test
	void aNodeThatExpiredOrRegisteredLatelyIsAChangeButNotOneLongSettled() {
		this.rows.aNode("me", Duration.ofSeconds(10));
		this.rows.aNode("settled", Duration.ofSeconds(10));
		this.rows.aNode("long-dead", Duration.ofMinutes(-5));
		registeredAgo("settled", Duration.ofMinutes(10));
		registeredAgo("long-dead", Duration.ofMinutes(10));
		// This node's own registration is no change for it.
		assertThat(this.table.findChanges("me", RECENT).recent()).isFalse();

		this.rows.aNode("just-dead", Duration.ofSeconds(-2));
		registeredAgo("just-dead", Duration.ofMinutes(10));
		assertThat(this.table.findChanges("me", RECENT).recent()).as("expired 2 s ago").isTrue();

		postgres.jdbc().sql("DELETE FROM autotask_node WHERE id = 'just-dead'").update();
		this.rows.aNode("restarted", Duration.ofSeconds(10));
		assertThat(this.table.findChanges("me", RECENT).recent()).as("registered just now").isTrue();
	}

	private void registeredAgo(String node, Duration ago) {
		postgres.jdbc()
			.sql("UPDATE autotask_node SET started_at = now() - ? * interval '1 millisecond' WHERE id = ?")
			.params(ago.toMillis(), node)
			.update();
	}

}
