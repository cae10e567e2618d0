package dev.autotask.engine;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import dev.autotask.TaskHandle;
import dev.autotask.json.TaskJson;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
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
 * started goes back on stop, with its claim undone.
 */
class ClaimAheadIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final String OWNER = "app-a";

	private final TaskRegistry registry = new TaskRegistry();

	private final CountDownLatch release = new CountDownLatch(1);

	private final AtomicInteger started = new AtomicInteger();

	private TaskClient client;

	private Engine engine;

	@BeforeEach
	void setUp() {
		this.registry.register(TaskDefinition.of("blocking", (args) -> {
			this.started.incrementAndGet();
			this.release.await();
			return "done";
		}));
		EngineSettings settings = EngineSettings.defaults()
			.withSchema(postgres.schema())
			.withWorkers(1)
			.withPollInterval(Duration.ofMinutes(1))
			.withShutdownTimeout(Duration.ofSeconds(30));
		this.client = new TaskClient(postgres.dataSource(), this.registry, new TaskJson(), settings);
		this.engine = new Engine(postgres.dataSource(), this.registry, new TaskJson(), settings);
	}

	@AfterEach
	void tearDown() {
		this.release.countDown();
		this.engine.stop();
	}

	@Test
	void givesBackTasksClaimedAheadOnStopWithTheirClaimUndone() throws InterruptedException {
		List<TaskHandle<Object>> handles = List.of(this.client.send("blocking", OWNER),
				this.client.send("blocking", OWNER), this.client.send("blocking", OWNER));
		TaskCounts counts = new TaskCounts(postgres);
		this.engine.start();
		// One worker: one task runs, one more waits claimed ahead, the third stays pending.
		await().atMost(Duration.ofSeconds(10)).until(() -> this.started.get() == 1 && counts.withStatus("RUNNING") == 2);
		assertThat(counts.withStatus("PENDING")).isEqualTo(1);

		Thread stopping = new Thread(this.engine::stop, "test-stop");
		stopping.start();
		// Given back before the running task ends: another node may take it at once.
		await().atMost(Duration.ofSeconds(10)).until(() -> counts.withStatus("PENDING") == 2);
		this.release.countDown();
		stopping.join(Duration.ofSeconds(30).toMillis());

		assertThat(this.started).hasValue(1);
		TaskRows rows = new TaskRows(postgres);
		assertThat(counts.withStatus("SUCCESS")).isEqualTo(1);
		for (TaskHandle<Object> handle : handles) {
			if (rows.column(handle.id(), "status").equals("PENDING")) {
				assertThat(rows.column(handle.id(), "attempt")).isEqualTo("0");
				assertThat(rows.column(handle.id(), "rescues")).isEqualTo("0");
				assertThat(rows.column(handle.id(), "node_id")).isNull();
			}
		}
	}

	@Test
	void workersTakeTheNextTaskFromTheBufferWithoutWaitingForAClaim() {
		this.release.countDown();
		for (int i = 0; i < 50; i++) {
			this.client.send("blocking", OWNER);
		}
		TaskCounts counts = new TaskCounts(postgres);
		this.engine.start();

		await().atMost(Duration.ofSeconds(20)).until(() -> counts.withStatus("SUCCESS") == 50);
		assertThat(this.started).hasValue(50);
	}

}
