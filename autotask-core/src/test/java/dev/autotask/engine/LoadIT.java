package dev.autotask.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.zaxxer.hikari.HikariDataSource;
import dev.autotask.internal.engine.TaskClient;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.Producers;
import dev.autotask.testsupport.TaskCounts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three engines drain tasks that four producers enqueue concurrently; every task ends, and runs
 * exactly once, counted in a table the task itself writes. CI runs 20,000 tasks; set
 * {@code -Dautotask.load.tasks=100000} for the full size. The time limit grows with the size:
 * a fixed 300 s failed the full size, which takes about 390 s on two cores.
 */
class LoadIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final int TASKS = Integer.getInteger("autotask.load.tasks", 20_000);

	private static final int PRODUCERS = 4;

	private final List<Engine> engines = new ArrayList<>();

	private final List<HikariDataSource> dataSources = new ArrayList<>();

	@AfterEach
	void tearDown() {
		this.engines.forEach(Engine::stop);
		this.dataSources.forEach(HikariDataSource::close);
	}

	@Test
	void threeEnginesRunEveryTaskExactlyOnceWhileFourProducersEnqueue() throws Exception {
		JdbcClient jdbc = postgres.jdbc();
		jdbc.sql("DROP TABLE IF EXISTS execution").update();
		jdbc.sql("CREATE TABLE execution (n int NOT NULL, node text NOT NULL)").update();
		for (String node : List.of("node-a", "node-b", "node-c")) {
			HikariDataSource dataSource = postgres.newDataSource(12);
			this.dataSources.add(dataSource);
			JdbcClient nodeJdbc = JdbcClient.create(dataSource);
			TaskRegistry registry = new TaskRegistry();
			registry.register(TaskDefinition.of("count", (args) -> nodeJdbc
				.sql("INSERT INTO execution (n, node) VALUES (?, ?)")
				.params(args[0], node)
				.update(), new TaskParameter("n", int.class)).withRetries(0));
			Engine engine = Engine.builder(dataSource, registry)
				.settings(EngineSettings.builder().schema(postgres.schema()).nodeId(node).workers(4).build())
				.build();
			this.engines.add(engine);
			engine.start();
		}
		TaskRegistry producerRegistry = new TaskRegistry();
		producerRegistry.register(TaskDefinition.of("count", (args) -> null, new TaskParameter("n", int.class)));
		TaskClient client = new TaskClient(postgres.dataSource(), producerRegistry, new TaskJson(),
				EngineSettings.builder().schema(postgres.schema()).build());
		Duration limit = Duration.ofSeconds(60 + TASKS / 100);
		long started = System.nanoTime();

		Producers.send(PRODUCERS, TASKS, limit, (n) -> client.send("count", "load", n));
		TaskCounts counts = new TaskCounts(postgres);
		await().atMost(limit)
			.pollInterval(Duration.ofMillis(250))
			.until(() -> counts.withStatus("SUCCESS") == TASKS);
		long millis = (System.nanoTime() - started) / 1_000_000;

		assertThat(counts.byStatus()).containsOnlyKeys("SUCCESS");
		assertThat(jdbc.sql("SELECT count(*) FROM execution").query(Long.class).single()).isEqualTo(TASKS);
		assertThat(jdbc.sql("SELECT count(DISTINCT n) FROM execution").query(Long.class).single()).isEqualTo(TASKS);
		System.out.printf("[autotask] load: %d tasks from %d producers through 3 engines in %d ms (%d tasks/s), by node %s%n",
				TASKS, PRODUCERS, millis, TASKS * 1000L / Math.max(millis, 1),
				jdbc.sql("SELECT node, count(*) FROM execution GROUP BY node ORDER BY node")
					.query((rs, row) -> rs.getString(1) + "=" + rs.getLong(2))
					.list());
	}

}
