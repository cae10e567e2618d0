package dev.autotask.engine;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import dev.autotask.NodeInfo;
import dev.autotask.TaskHandle;
import dev.autotask.TaskInfo;
import dev.autotask.TaskQuery;
import dev.autotask.TaskStatus;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.EngineExtension;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskCounts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the console shows of each node: the tasks running on it, found by a search for the node,
 * and how many of those it holds claimed ahead of its workers, as its heartbeat reports.
 */
class NodeTasksIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final String OWNER = "app-a";

	private final TaskRegistry registry = new TaskRegistry();

	private final CountDownLatch release = new CountDownLatch(1);

	private final AtomicInteger started = new AtomicInteger();

	// A heartbeat every 100 ms: what a node reports shows soon after it changes.
	@RegisterExtension
	final EngineExtension node = new EngineExtension(postgres, this.registry, (settings) -> settings.workers(1)
		.pollInterval(Duration.ofMinutes(1))
		.workerMonitorInterval(Duration.ofMillis(100))
		.shutdownTimeout(Duration.ofSeconds(30)));

	@BeforeEach
	void setUp() {
		this.registry.register(TaskDefinition.of("quick", (args) -> "done"));
		this.registry.register(TaskDefinition.of("blocking", (args) -> {
			this.started.incrementAndGet();
			this.release.await();
			return "done";
		}));
	}

	@AfterEach
	void tearDown() {
		// Before the extension stops the engine, which waits for running tasks.
		this.release.countDown();
	}

	@Test
	void aNodeShowsItsRunningTaskAndASearchByNodeFindsIt() {
		TaskHandle<Object> slow = this.node.client().send("blocking", OWNER);
		this.node.engine().start();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.started.get() == 1);
		String id = this.node.engine().settings().nodeId();

		assertThat(this.node.client().nodes()).filteredOn((alive) -> alive.id().equals(id))
			.singleElement()
			.satisfies((alive) -> {
				assertThat(alive.running()).isEqualTo(1);
				assertThat(alive.claimedAhead()).isZero();
			});
		TaskQuery runningHere = TaskQuery.builder().node(id).status(TaskStatus.RUNNING).build();
		assertThat(this.node.client().find(runningHere, OWNER).tasks()).extracting(TaskInfo::id)
			.containsExactly(slow.id());
		assertThat(this.node.client().find(runningHere.toBuilder().node("elsewhere").build(), OWNER).tasks())
			.isEmpty();
		assertThat(runningHere.toString()).contains("node=" + id);
	}

	@Test
	void aNodeReportsTheTasksItClaimedAheadOfItsWorkers() {
		TaskCounts counts = new TaskCounts(postgres);
		this.node.engine().start();
		// Quick tasks first: the lane learns that its tasks take microseconds, and claims ahead.
		for (int i = 0; i < 100; i++) {
			this.node.client().send("quick", OWNER);
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> counts.withStatus("SUCCESS") == 100);
		for (int i = 0; i < 3; i++) {
			this.node.client().send("blocking", OWNER);
		}
		// One worker: one task runs, held by the latch, and the two others wait claimed ahead.
		await().atMost(Duration.ofSeconds(10)).until(() -> this.started.get() == 1 && counts.withStatus("RUNNING") == 3);
		String id = this.node.engine().settings().nodeId();

		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.node.client().nodes()).filteredOn((alive) -> alive.id().equals(id))
				.singleElement()
				.satisfies((alive) -> {
					assertThat(alive.running()).isEqualTo(3);
					assertThat(alive.claimedAhead()).isEqualTo(2);
				}));

		this.release.countDown();
		await().atMost(Duration.ofSeconds(10)).until(() -> counts.withStatus("SUCCESS") == 103);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.node.client().nodes().stream().filter((alive) -> alive.id().equals(id)).findFirst()
				.map(NodeInfo::claimedAhead)
				.orElse(-1) == 0);
	}

}
