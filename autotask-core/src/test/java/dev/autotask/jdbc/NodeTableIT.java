package dev.autotask.jdbc;

import java.time.Duration;

import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

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
