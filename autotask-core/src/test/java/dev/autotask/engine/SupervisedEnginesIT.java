package dev.autotask.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import com.zaxxer.hikari.HikariDataSource;
import dev.autotask.TaskHandle;
import dev.autotask.TaskStatus;
import dev.autotask.internal.engine.TaskClient;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.schedule.Every;
import dev.autotask.schedule.Misfire;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import dev.autotask.task.TaskSchedule;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Engines with their supervisors: timeouts, one leader among several, schedules fired once per
 * fire, and a graceful shutdown that hands back and hands over.
 */
class SupervisedEnginesIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final String OWNER = "app";

	private final List<Engine> engines = new ArrayList<>();

	private final List<HikariDataSource> dataSources = new ArrayList<>();

	private final CountDownLatch never = new CountDownLatch(1);

	@AfterEach
	void tearDown() {
		this.never.countDown();
		this.engines.forEach(Engine::stop);
		this.dataSources.forEach(HikariDataSource::close);
	}

	@Test
	void attemptPastItsTimeoutFailsAndTheQueueFlowsOn() {
		TaskRegistry registry = new TaskRegistry();
		registry.register(TaskDefinition.of("stuck", (args) -> {
			this.never.await();
			return null;
		}).withTimeout(Duration.ofMillis(300)).withRetries(0));
		registry.register(TaskDefinition.of("quick", (args) -> "done"));
		Engine engine = engine("node", registry, EngineSettings.builder().workers(1).build());
		TaskClient client = client(registry);
		engine.start();

		TaskHandle<Object> stuck = client.send("stuck", OWNER);
		TaskHandle<Object> quick = client.send("quick", OWNER);

		await().atMost(Duration.ofSeconds(10)).until(() -> stuck.refresh().isReady() && quick.refresh().isReady());
		assertThat(stuck.status()).isEqualTo(TaskStatus.FAILURE);
		assertThat(stuck.error().type()).isEqualTo("java.util.concurrent.TimeoutException");
		assertThat(stuck.error().message()).contains("ran past its timeout of PT0.3S");
		assertThat(quick.status()).isEqualTo(TaskStatus.SUCCESS);
	}

	@Test
	void severalEnginesHaveOneLeaderAndFireEachPeriodOnce() {
		List<String> nodes = List.of("node-a", "node-b", "node-c");
		for (String node : nodes) {
			TaskRegistry registry = new TaskRegistry();
			registry.register(TaskDefinition.of("tick", (args) -> null),
					new TaskSchedule("tick", Every.of(Duration.ofSeconds(1)), true, Misfire.RUN_ONCE, "every 1s"));
			engine(node, registry, EngineSettings.defaults()).start();
		}
		JdbcClient jdbc = postgres.jdbc();

		await().atMost(Duration.ofSeconds(20))
			.until(() -> jdbc.sql("SELECT count(*) FROM autotask_task WHERE name = 'tick' AND status = 'SUCCESS'")
				.query(Long.class)
				.single() >= 5);

		assertThat(this.engines.stream().filter(Engine::isLeader).count()).isEqualTo(1);
		List<Long> tasksPerFire = jdbc
			.sql("SELECT count(*) FROM autotask_task GROUP BY run_at HAVING count(*) > 1")
			.query(Long.class)
			.list();
		assertThat(tasksPerFire).as("fire times enqueued more than once").isEmpty();
		long fired = jdbc.sql("SELECT count(*) FROM autotask_fire WHERE task_id IS NOT NULL").query(Long.class).single();
		long tasks = jdbc.sql("SELECT count(*) FROM autotask_task WHERE name = 'tick'").query(Long.class).single();
		assertThat(tasks).isEqualTo(fired);
	}

	@Test
	void stoppingTheLeaderHandsOverAtOnceRatherThanAfterItsLease() {
		Engine first = engine("first", new TaskRegistry(), EngineSettings.builder().lease(Duration.ofMinutes(1)).build());
		Engine second = engine("second", new TaskRegistry(), EngineSettings.builder().lease(Duration.ofMinutes(1)).build());
		first.start();
		await().atMost(Duration.ofSeconds(5)).until(first::isLeader);
		second.start();

		first.stop();

		// A lease of a minute, a tick every 20 s: only the resignation's notification is this fast.
		await().atMost(Duration.ofSeconds(5)).until(second::isLeader);
	}

	@Test
	void shutdownHandsBackWhatIsStillRunningWithoutSpendingARetry() {
		TaskRegistry registry = new TaskRegistry();
		registry.register(TaskDefinition.of("long", (args) -> {
			this.never.await();
			return null;
		}).withRetries(0));
		Engine engine = engine("node", registry,
				EngineSettings.builder().workers(1).shutdownTimeout(Duration.ofMillis(200)).build());
		TaskClient client = client(registry);
		engine.start();
		TaskHandle<Object> handle = client.send("long", OWNER);
		await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().status() == TaskStatus.RUNNING);

		engine.stop();

		TaskRows rows = new TaskRows(postgres);
		assertThat(rows.column(handle.id(), "status")).isEqualTo("PENDING");
		assertThat(rows.column(handle.id(), "rescues")).isEqualTo("1");
		assertThat(rows.column(handle.id(), "max_attempts")).isEqualTo("2");
	}

	private Engine engine(String node, TaskRegistry registry, EngineSettings settings) {
		HikariDataSource dataSource = postgres.newDataSource(settings.workers() + 4);
		this.dataSources.add(dataSource);
		Engine engine = Engine.builder(dataSource, registry)
			.settings(settings.toBuilder()
				.nodeId(node)
				.schema(postgres.schema())
				.pollInterval(Duration.ofSeconds(30))
				.build())
			.build();
		this.engines.add(engine);
		return engine;
	}

	private TaskClient client(TaskRegistry registry) {
		return new TaskClient(postgres.dataSource(), registry, new TaskJson(),
				EngineSettings.builder().schema(postgres.schema()).build());
	}

}
