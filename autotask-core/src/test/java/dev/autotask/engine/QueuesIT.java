package dev.autotask.engine;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import dev.autotask.QueueInfo;
import dev.autotask.SendOptions;
import dev.autotask.TaskHandle;
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
 * Named queues: a queue with its own concurrency is never starved by, nor starves, another;
 * a paused queue waits on every node until resumed.
 */
class QueuesIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final int SLOW_TASKS = 10_000;

	private final TaskRegistry registry = new TaskRegistry();

	private final CountDownLatch release = new CountDownLatch(1);

	private final AtomicInteger slowStarted = new AtomicInteger();

	@RegisterExtension
	final EngineExtension node = new EngineExtension(postgres, this.registry, (settings) -> settings.workers(2)
		.queueConcurrency(Map.of("slow", 1))
		.pollInterval(Duration.ofSeconds(30)));

	@BeforeEach
	void setUp() {
		this.registry.register(TaskDefinition.of("slow", (args) -> {
			this.slowStarted.incrementAndGet();
			this.release.await();
			return null;
		}).withQueue("slow"));
		this.registry.register(TaskDefinition.of("quick", (args) -> "done"));
		this.registry.register(TaskDefinition.of("report", (args) -> "done").withQueue("reports"));
	}

	@AfterEach
	void tearDown() {
		this.release.countDown();
	}

	@Test
	void slowQueueWithConcurrencyOneDoesNotBlockOtherQueues() {
		this.node.client().sendAll("slow", SendOptions.owner("a"), Collections.nCopies(SLOW_TASKS, new Object[0]));
		this.node.engine().start();
		TaskCounts counts = new TaskCounts(postgres);
		// One started in the slow queue's one slot; a slow lane claims nothing ahead.
		await().atMost(Duration.ofSeconds(10)).until(() -> counts.withStatus("RUNNING") == 1);

		for (int i = 0; i < 20; i++) {
			this.node.client().send("quick", "a");
		}

		await().atMost(Duration.ofSeconds(10)).until(() -> counts.withStatus("SUCCESS") == 20);
		assertThat(this.slowStarted).as("the slow queue's one slot").hasValue(1);
		assertThat(counts.withStatus("RUNNING")).isEqualTo(1);
		assertThat(counts.withStatus("PENDING")).isEqualTo(SLOW_TASKS - 1);
	}

	@Test
	void pausedQueueWaitsUntilResumed() {
		assertThat(this.node.client().pause("reports")).isTrue();
		this.node.engine().start();
		TaskHandle<Object> report = this.node.client().send("report", "a");
		TaskHandle<Object> quick = this.node.client().send("quick", "a");

		// The other queue's task ran: the dispatcher has looked, and left the paused queue alone.
		await().atMost(Duration.ofSeconds(10)).until(() -> quick.refresh().isReady());
		assertThat(report.refresh().status()).isEqualTo(TaskStatus.PENDING);
		assertThat(this.node.client().queues("a")).filteredOn(QueueInfo::name, "reports")
			.singleElement()
			.satisfies((queue) -> {
				assertThat(queue.paused()).isTrue();
				assertThat(queue.counts()).containsEntry(TaskStatus.PENDING, 1L);
			});

		// Resuming wakes the nodes: no enqueue and no poll (30 s here) is needed.
		assertThat(this.node.client().resume("reports")).isTrue();

		await().atMost(Duration.ofSeconds(10)).until(() -> report.refresh().isReady());
		assertThat(this.node.client().queues("a")).filteredOn(QueueInfo::name, "reports")
			.singleElement()
			.satisfies((queue) -> assertThat(queue.paused()).isFalse());
	}

	@Test
	void queueCountsAreTheOwnersOwnAndTheClusterTotalsAreApart() {
		this.node.client().send("report", "a");
		this.node.client().send("report", "b");
		this.node.client().send("report", "b");

		assertThat(this.node.client().queues("a")).filteredOn(QueueInfo::name, "reports")
			.singleElement()
			.satisfies((queue) -> assertThat(queue.counts()).containsExactly(Map.entry(TaskStatus.PENDING, 1L)));
		assertThat(this.node.client().queues("b")).filteredOn(QueueInfo::name, "reports")
			.singleElement()
			.satisfies((queue) -> assertThat(queue.counts()).containsExactly(Map.entry(TaskStatus.PENDING, 2L)));
		// An owner without tasks still sees the queues this application's tasks are registered in.
		assertThat(this.node.client().queues("c")).extracting(QueueInfo::name).containsExactly("default", "reports", "slow");
		assertThat(this.node.client().queues("c")).allSatisfy((queue) -> assertThat(queue.counts()).isEmpty());
		assertThat(this.node.client().clusterQueues()).filteredOn(QueueInfo::name, "reports")
			.singleElement()
			.satisfies((queue) -> assertThat(queue.counts()).containsExactly(Map.entry(TaskStatus.PENDING, 3L)));
	}

	@Test
	void queueNoTaskUsesIsNeitherPausedNorStored() {
		assertThat(this.node.client().pause("x' OR 1=1")).isFalse();
		assertThat(this.node.client().resume("nightly")).isFalse();

		assertThat(this.node.client().queues("a")).extracting(QueueInfo::name).doesNotContain("x' OR 1=1", "nightly");
		assertThat(postgres.jdbc().sql("SELECT count(*) FROM autotask_queue").query(Long.class).single()).isZero();
	}

	@Test
	void queueOnlyATaskInTheTableUsesCanBePausedAndAPausedOneResumed() {
		// A task of a queue this application no longer registers, say from an older version.
		postgres.jdbc().sql("UPDATE autotask_task SET queue = 'retired' WHERE id = :id")
			.param("id", this.node.client().send("quick", "a").id())
			.update();

		assertThat(this.node.client().pause("retired")).isTrue();
		postgres.jdbc().sql("DELETE FROM autotask_task").update();

		assertThat(this.node.client().resume("retired")).isTrue();
		assertThat(this.node.client().queues("a")).filteredOn(QueueInfo::name, "retired").isEmpty();
	}

}
