package dev.autotask.internal.supervisor;

import java.time.Duration;

import dev.autotask.internal.jdbc.LeaderTable;
import dev.autotask.internal.jdbc.TableNames;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The supervisor marker, driven by {@code runOnce()}: one leader at a time, a lease on the
 * database clock, and no marker that needs cleaning by hand.
 */
class LeaderElectorIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final long LEASE_MILLIS = 1000;

	private LeaderTable table;

	@BeforeEach
	void setUp() {
		this.table = new LeaderTable(postgres.dataSource(), new TableNames(postgres.schema()));
	}

	@Test
	void onlyOneOfSeveralNodesLeads() {
		LeaderElector a = elector("a");
		LeaderElector b = elector("b");
		LeaderElector c = elector("c");

		assertThat(a.runOnce()).isTrue();
		assertThat(b.runOnce()).isFalse();
		assertThat(c.runOnce()).isFalse();
		assertThat(a.runOnce()).as("renewal").isTrue();
		assertThat(this.table.findLeader()).isEqualTo("a");
	}

	@Test
	void leaderThatStopsRenewingIsReplacedOnceItsLeaseLapses() {
		LeaderElector crashed = elector("crashed");
		LeaderElector successor = elector("successor");
		assertThat(crashed.runOnce()).isTrue();

		// The crashed leader never runs again; its lease lapses on the database clock.
		assertThat(successor.runOnce()).isFalse();
		await().atMost(Duration.ofSeconds(5)).until(successor::runOnce);
		assertThat(this.table.findLeader()).isEqualTo("successor");
	}

	@Test
	void formerLeaderThatWasTooSlowDoesNotTakeTheLeadBack() {
		LeaderElector slow = elector("slow");
		LeaderElector successor = elector("successor");
		assertThat(slow.runOnce()).isTrue();
		await().atMost(Duration.ofSeconds(5)).until(successor::runOnce);

		assertThat(slow.runOnce()).isFalse();
		assertThat(slow.isLeader()).isFalse();
		assertThat(this.table.findLeader()).isEqualTo("successor");
	}

	@Test
	void restartedNodeLeadsWithoutAHandCleanedMarker() {
		assertThat(elector("node-1").runOnce()).isTrue();

		// The same node id, restarted after a crash, finds its own marker and takes it over.
		assertThat(elector("node-1").runOnce()).isTrue();
	}

	@Test
	void resignLetsAnotherNodeLeadAtOnce() {
		LeaderElector leaving = elector("leaving");
		LeaderElector next = elector("next");
		assertThat(leaving.runOnce()).isTrue();

		leaving.resign();

		assertThat(leaving.isLeader()).isFalse();
		assertThat(next.runOnce()).isTrue();
	}

	@Test
	void nodeThatDoesNotLeadTriesAgainWhenTheLeaseLapsesNotAThirdOfALeaseLater() {
		LeaderElector leader = new LeaderElector(this.table, "leader", 15_000);
		LeaderElector follower = new LeaderElector(this.table, "follower", 15_000);
		assertThat(leader.runOnce()).isTrue();
		assertThat(follower.runOnce()).isFalse();
		// As if the leader renewed 12 s ago and then died: 3 s of its lease are left.
		postgres.jdbc().sql("UPDATE autotask_leader SET expires_at = now() + interval '3 seconds'").update();

		assertThat(leader.untilNextTry()).as("the leader renews every third").isEqualTo(Duration.ofSeconds(5));
		assertThat(follower.untilNextTry()).isBetween(Duration.ofMillis(2_500), Duration.ofMillis(3_100));

		postgres.jdbc().sql("UPDATE autotask_leader SET expires_at = now() - interval '1 millisecond'").update();
		assertThat(follower.untilNextTry()).as("lapsed: try at once").isZero();
		assertThat(follower.runOnce()).isTrue();
	}

	private LeaderElector elector(String node) {
		return new LeaderElector(this.table, node, LEASE_MILLIS);
	}

}
