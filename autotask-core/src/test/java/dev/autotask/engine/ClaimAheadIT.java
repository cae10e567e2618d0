package dev.autotask.engine;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import dev.autotask.TaskHandle;
import dev.autotask.TaskStatus;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.EngineExtension;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskCounts;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A lane claims up to its size again ahead of its workers; what it claimed ahead but never
 * started goes back on stop, with its claim undone, and wakes another node to run it.
 */
class ClaimAheadIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final String OWNER = "app-a";

	private final TaskRegistry registry = new TaskRegistry();

	private final CountDownLatch release = new CountDownLatch(1);

	private final AtomicInteger started = new AtomicInteger();

	@RegisterExtension
	final EngineExtension node = new EngineExtension(postgres, this.registry, (settings) -> settings.workers(1)
		.pollInterval(Duration.ofMinutes(1))
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
	void givesBackTasksClaimedAheadOnStopWithTheirClaimUndone() throws InterruptedException {
		TaskCounts counts = new TaskCounts(postgres);
		List<TaskHandle<Object>> handles = oneRunningAndTwoClaimedAhead(counts);

		Thread stopping = new Thread(this.node.engine()::stop, "test-stop");
		stopping.start();
		// Given back before the running task ends: another node may take it at once.
		await().atMost(Duration.ofSeconds(10)).until(() -> counts.withStatus("PENDING") == 2);
		this.release.countDown();
		stopping.join(Duration.ofSeconds(30).toMillis());

		assertThat(this.started).hasValue(1);
		TaskRows rows = new TaskRows(postgres);
		assertThat(counts.withStatus("SUCCESS")).isEqualTo(101);
		for (TaskHandle<Object> handle : handles) {
			if (rows.column(handle.id(), "status").equals("PENDING")) {
				assertThat(rows.column(handle.id(), "attempt")).isEqualTo("0");
				assertThat(rows.column(handle.id(), "rescues")).isEqualTo("0");
				assertThat(rows.column(handle.id(), "node_id")).isNull();
			}
		}
	}

	@Test
	void anotherNodeIsWokenToRunWhatAStoppingNodeGivesBack() throws InterruptedException {
		TaskCounts counts = new TaskCounts(postgres);
		oneRunningAndTwoClaimedAhead(counts);
		// A second node that polls once a minute, idle once it ran a task of its own: it has
		// claimed, found nothing more, and waits for a notification.
		TaskRegistry otherRegistry = new TaskRegistry();
		otherRegistry.register(TaskDefinition.of("blocking", (args) -> {
			this.started.incrementAndGet();
			return "done";
		}));
		otherRegistry.register(TaskDefinition.of("own", (args) -> "done"));
		Engine.Builder otherBuilder = Engine.builder(postgres.dataSource(), otherRegistry)
			.settings(this.node.engine().settings().toBuilder().nodeId("node-b").build());
		Engine other = otherBuilder.build();
		other.start();
		try {
			otherBuilder.buildClient().send("own", OWNER);
			await().atMost(Duration.ofSeconds(10)).until(() -> counts.withStatus("SUCCESS") == 101);

			Thread stopping = new Thread(this.node.engine()::stop, "test-stop");
			stopping.start();

			// Well within the minute of its poll.
			await().atMost(Duration.ofSeconds(10)).until(() -> this.started.get() == 3);
			this.release.countDown();
			stopping.join(Duration.ofSeconds(30).toMillis());
			await().atMost(Duration.ofSeconds(10)).until(() -> counts.withStatus("SUCCESS") == 104);
		}
		finally {
			other.stop();
		}
	}

	@Test
	void slowTasksAreNotClaimedAheadSoAWaitingOneIsCancelledAtOnce() {
		List<TaskHandle<Object>> handles = List.of(this.node.client().send("blocking", OWNER),
				this.node.client().send("blocking", OWNER), this.node.client().send("blocking", OWNER));
		TaskCounts counts = new TaskCounts(postgres);
		// A lane that has timed no task yet takes its tasks for slow ones.
		this.node.engine().start();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.started.get() == 1);
		assertThat(counts.withStatus("RUNNING")).isEqualTo(1);
		assertThat(counts.withStatus("PENDING")).isEqualTo(2);

		TaskHandle<Object> waiting = handles.stream()
			.filter((handle) -> handle.refresh().status() == TaskStatus.PENDING)
			.findFirst()
			.orElseThrow();
		assertThat(this.node.client().cancel(waiting.id(), OWNER)).contains(TaskStatus.CANCELLED);
		this.release.countDown();

		await().atMost(Duration.ofSeconds(10)).until(() -> counts.withStatus("SUCCESS") == 2);
		assertThat(this.started).hasValue(2);
		assertThat(waiting.refresh().status()).isEqualTo(TaskStatus.CANCELLED);
	}

	@Test
	void workersTakeTheNextTaskFromTheBufferWithoutWaitingForAClaim() {
		this.release.countDown();
		for (int i = 0; i < 50; i++) {
			this.node.client().send("blocking", OWNER);
		}
		TaskCounts counts = new TaskCounts(postgres);
		this.node.engine().start();

		await().atMost(Duration.ofSeconds(20)).until(() -> counts.withStatus("SUCCESS") == 50);
		assertThat(this.started).hasValue(50);
	}

	// Start the node, then send three blocking tasks: with one worker, one runs (held by the latch)
	// and the two others wait claimed ahead.
	private List<TaskHandle<Object>> oneRunningAndTwoClaimedAhead(TaskCounts counts) {
		this.node.engine().start();
		// Quick tasks first: the lane learns that its tasks take microseconds, and claims ahead.
		for (int i = 0; i < 100; i++) {
			this.node.client().send("quick", OWNER);
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> counts.withStatus("SUCCESS") == 100);
		List<TaskHandle<Object>> handles = List.of(this.node.client().send("blocking", OWNER),
				this.node.client().send("blocking", OWNER), this.node.client().send("blocking", OWNER));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.started.get() == 1 && counts.withStatus("RUNNING") == 3);
		return handles;
	}

}
