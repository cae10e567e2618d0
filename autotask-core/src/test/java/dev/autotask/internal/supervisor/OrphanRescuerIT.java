package dev.autotask.internal.supervisor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import dev.autotask.internal.jdbc.NodeTable;
import dev.autotask.internal.jdbc.TableNames;
import dev.autotask.internal.jdbc.TaskMaintenanceTable;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tasks of dead nodes are handed back without spending a retry, or failed if they ask to; tasks
 * of live nodes are left alone.
 */
class OrphanRescuerIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final Duration HEARTBEAT = Duration.ofSeconds(5);

	private final TaskRegistry registry = new TaskRegistry();

	private TaskRows rows;

	private OrphanRescuer rescuer;

	@BeforeEach
	void setUp() {
		this.rows = new TaskRows(postgres);
		this.registry.register(TaskDefinition.of("report", (args) -> null));
		this.registry.register(TaskDefinition.of("charge", (args) -> null).withFailOnNodeLoss(true));
		this.rescuer = new OrphanRescuer(
				new TaskMaintenanceTable(postgres.dataSource(), new TableNames(postgres.schema()), false),
				this.registry, "leader", HEARTBEAT);
		this.rows.aNode("leader", HEARTBEAT.multipliedBy(2));
	}

	@Test
	void handsBackTasksOfADeadNodeWithoutSpendingARetry() {
		this.rows.aNode("dead", Duration.ofSeconds(-1));
		long orphan = this.rows.aRunningTask("report", "dead");

		assertThat(this.rescuer.runOnce()).containsExactly(orphan);

		assertThat(this.rows.column(orphan, "status")).isEqualTo("PENDING");
		assertThat(this.rows.column(orphan, "node_id")).isNull();
		assertThat(this.rows.column(orphan, "rescues")).isEqualTo("1");
		assertThat(this.rows.column(orphan, "attempt")).isEqualTo("1");
		// One attempt was granted back: the user's retry budget is untouched.
		assertThat(this.rows.column(orphan, "max_attempts")).isEqualTo("3");
		assertThat(this.rows.column(orphan, "error")).contains("dev.autotask.NodeLost").contains("node dead");
		// What the console's search by error text reads (V22).
		assertThat(this.rows.column(orphan, "(error_search = lower(error->>'message'))")).isEqualTo("true");
		// The lost attempt stays in the task's history of failed attempts.
		assertThat(this.rows.column(orphan, "attempt_errors")).contains("\"attempt\": 1")
			.contains("\"type\": \"dev.autotask.NodeLost\"")
			.contains("\"node\": \"dead\"");
	}

	@Test
	void leavesTasksOfLiveNodesAlone() {
		this.rows.aNode("alive", Duration.ofMinutes(1));
		long running = this.rows.aRunningTask("report", "alive");

		assertThat(this.rescuer.runOnce()).isEmpty();
		assertThat(this.rows.column(running, "status")).isEqualTo("RUNNING");
	}

	@Test
	void taskOfANodeNeverRegisteredIsAnOrphanToo() {
		long orphan = this.rows.aRunningTask("report", "ghost");

		assertThat(this.rescuer.runOnce()).containsExactly(orphan);
	}

	@Test
	void failsTasksThatAskToFailOnNodeLoss() {
		this.rows.aNode("dead", Duration.ofSeconds(-1));
		long charge = this.rows.aRunningTask("charge", "dead");

		assertThat(this.rescuer.runOnce()).containsExactly(charge);

		assertThat(this.rows.column(charge, "status")).isEqualTo("FAILURE");
		assertThat(this.rows.column(charge, "finished_at")).isNotNull();
		assertThat(this.rows.column(charge, "error")).contains("fails as it asked");
		assertThat(this.rows.column(charge, "(error_search = lower(error->>'message'))")).isEqualTo("true");
	}

	@Test
	void taskFailedOnNodeLossHasItsEventWhenEventsAreOn() {
		OrphanRescuer rescuer = new OrphanRescuer(
				new TaskMaintenanceTable(postgres.dataSource(), new TableNames(postgres.schema()), true),
				this.registry, "leader", HEARTBEAT);
		this.rows.aNode("dead", Duration.ofSeconds(-1));
		long charge = this.rows.aRunningTask("charge", "dead");
		long report = this.rows.aRunningTask("report", "dead");

		assertThat(rescuer.runOnce()).containsExactlyInAnyOrder(charge, report);

		// The task handed back has not ended: only the failed one has an event.
		assertThat(postgres.jdbc()
			.sql("SELECT task_id || ' ' || name || ' ' || outcome || ' ' || (error ->> 'type') FROM autotask_outbox_event")
			.query(String.class)
			.list()).containsExactly(charge + " charge FAILURE dev.autotask.NodeLost");
	}

	@Test
	void rescuesNothingWhileItsOwnHeartbeatIsStale() {
		this.rows.aNode("dead", Duration.ofSeconds(-1));
		long orphan = this.rows.aRunningTask("report", "dead");
		long charge = this.rows.aRunningTask("charge", "dead");
		// The leader itself last reached the database 8 s ago, as after an outage it waited out.
		postgres.jdbc().sql("UPDATE autotask_node SET heartbeat_at = now() - interval '8 seconds' WHERE id = 'leader'").update();

		assertThat(this.rescuer.runOnce()).isEmpty();
		assertThat(this.rows.column(orphan, "status")).isEqualTo("RUNNING");
		assertThat(this.rows.column(charge, "status")).isEqualTo("RUNNING");

		postgres.jdbc().sql("UPDATE autotask_node SET heartbeat_at = now() WHERE id = 'leader'").update();
		assertThat(this.rescuer.runOnce()).containsExactlyInAnyOrder(orphan, charge);
	}

	@Test
	void rescuesNoOrphanUntilItHasBeenAliveWithoutABreakForANodesTimeToLive() {
		this.rows.aNode("dead", Duration.ofSeconds(-1));
		long orphan = this.rows.aRunningTask("report", "dead");
		// The leader's own row lapsed, as every row does in an outage, and its first heartbeat
		// after it has just renewed it: the live nodes may not have heartbeated yet.
		postgres.jdbc().sql("UPDATE autotask_node SET expires_at = now() - interval '1 second' WHERE id = 'leader'").update();
		new NodeTable(postgres.dataSource(), new TableNames(postgres.schema())).heartbeat("leader", 1,
				HEARTBEAT.multipliedBy(2).toMillis(), 0);

		assertThat(this.rescuer.runOnce()).isEmpty();
		assertThat(this.rows.column(orphan, "status")).isEqualTo("RUNNING");

		// Alive again without a break for a node's time to live (two heartbeat intervals).
		postgres.jdbc().sql("UPDATE autotask_node SET alive_since = now() - interval '10 seconds' WHERE id = 'leader'").update();
		assertThat(this.rescuer.runOnce()).containsExactly(orphan);
	}

	@Test
	void nodeRestartedUnderItsOldIdHandsBackWhatItsEarlierProcessRanButNotOthersOrphans() {
		long earlier = claimedAgo(this.rows.aRunningTask("report", "leader"), Duration.ofSeconds(1));
		long charge = claimedAgo(this.rows.aRunningTask("charge", "leader"), Duration.ofSeconds(1));
		this.rows.aNode("dead", Duration.ofSeconds(-1));
		long othersOrphan = this.rows.aRunningTask("report", "dead");
		// Registered again, as a process that starts under the id of one that was killed.
		postgres.jdbc().sql("UPDATE autotask_node SET started_at = now() WHERE id = 'leader'").update();
		long own = this.rows.aRunningTask("report", "leader");

		assertThat(this.rescuer.rescueEarlierLife()).containsExactlyInAnyOrder(earlier, charge);

		assertThat(this.rows.column(earlier, "status")).isEqualTo("PENDING");
		assertThat(this.rows.column(earlier, "rescues")).isEqualTo("1");
		assertThat(this.rows.column(earlier, "error")).contains("node leader restarted during attempt 1");
		assertThat(this.rows.column(charge, "status")).isEqualTo("FAILURE");
		assertThat(this.rows.column(own, "status")).isEqualTo("RUNNING");
		assertThat(this.rows.column(othersOrphan, "status")).as("left to the rescue").isEqualTo("RUNNING");
	}

	@Test
	void twoNodesRescuingAtOnceHandEachOrphanBackOnce() throws Exception {
		OrphanRescuer other = new OrphanRescuer(
				new TaskMaintenanceTable(postgres.dataSource(), new TableNames(postgres.schema()), false),
				this.registry, "other", HEARTBEAT);
		this.rows.aNode("other", HEARTBEAT.multipliedBy(2));
		this.rows.aNode("dead", Duration.ofSeconds(-1));
		List<Long> orphans = IntStream.range(0, 200).mapToObj((n) -> this.rows.aRunningTask("report", "dead")).toList();

		CompletableFuture<List<Long>> byOther = CompletableFuture.supplyAsync(other::runOnce);
		List<Long> byThis = this.rescuer.runOnce();

		List<Long> all = new ArrayList<>(byThis);
		all.addAll(byOther.get(10, TimeUnit.SECONDS));
		assertThat(all).containsExactlyInAnyOrderElementsOf(orphans);
		assertThat(postgres.jdbc().sql("SELECT max(rescues) FROM autotask_task").query(Integer.class).single())
			.isOne();
	}

	@Test
	void handsBackStraysOfItsOwnNodeButNotTheTasksItHolds() {
		long stray = claimedAgo(this.rows.aRunningTask("report", "leader"), Duration.ofSeconds(11));
		long held = claimedAgo(this.rows.aRunningTask("report", "leader"), Duration.ofSeconds(11));
		long charge = claimedAgo(this.rows.aRunningTask("charge", "leader"), Duration.ofSeconds(11));
		this.rows.aNode("alive", Duration.ofMinutes(1));
		long others = claimedAgo(this.rows.aRunningTask("report", "alive"), Duration.ofSeconds(11));

		assertThat(this.rescuer.rescueStrays(List.of(held))).containsExactlyInAnyOrder(stray, charge);

		assertThat(this.rows.column(stray, "status")).isEqualTo("PENDING");
		assertThat(this.rows.column(stray, "max_attempts")).isEqualTo("3");
		assertThat(this.rows.column(stray, "error")).contains("node leader lost track of attempt 1");
		assertThat(this.rows.column(charge, "status")).isEqualTo("FAILURE");
		assertThat(this.rows.column(held, "status")).isEqualTo("RUNNING");
		assertThat(this.rows.column(others, "status")).isEqualTo("RUNNING");
	}

	@Test
	void leavesAStrayClaimedLessThanTwoHeartbeatsAgoAlone() {
		// Its claim may have committed with its answer still on the way to the node.
		long young = claimedAgo(this.rows.aRunningTask("report", "leader"), Duration.ofSeconds(9));

		assertThat(this.rescuer.rescueStrays(List.of())).isEmpty();
		assertThat(this.rows.column(young, "status")).isEqualTo("RUNNING");
	}

	@Test
	void handsBackNoStrayWhileItsOwnHeartbeatIsStale() {
		long stray = claimedAgo(this.rows.aRunningTask("report", "leader"), Duration.ofSeconds(11));
		postgres.jdbc().sql("UPDATE autotask_node SET heartbeat_at = now() - interval '8 seconds' WHERE id = 'leader'").update();

		assertThat(this.rescuer.rescueStrays(List.of())).isEmpty();
		assertThat(this.rows.column(stray, "status")).isEqualTo("RUNNING");
	}

	private long claimedAgo(long id, Duration ago) {
		postgres.jdbc()
			.sql("UPDATE autotask_task SET started_at = now() - ? * interval '1 millisecond' WHERE id = ?")
			.params(ago.toMillis(), id)
			.update();
		return id;
	}

}
