package dev.autotask.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.autotask.SendOptions;
import dev.autotask.internal.engine.TaskClient;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskCounts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Concurrency keys: three engines, each with its own pool and workers to spare, never run more
 * tasks of one key at once than the key's limit, at any instant, as the tasks themselves record
 * their starts and ends in a table of the test's own on the database's clock; tasks of other
 * keys, and without a key, run beside them; no task spends an attempt waiting.
 */
class ConcurrencyKeyIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final int KEYS = 4;

	private static final int TASKS_PER_KEY = 15;

	private static final List<String> NODES = List.of("node-a", "node-b", "node-c");

	private final List<Engine> engines = new ArrayList<>();

	private final List<HikariDataSource> dataSources = new ArrayList<>();

	private TaskClient client;

	@BeforeEach
	void setUp() {
		// The schema is the class's: each test starts its table afresh.
		postgres.jdbc().sql("DROP TABLE IF EXISTS " + calls()).update();
		postgres.jdbc()
			.sql("CREATE TABLE " + calls() + " (task integer, node text, event text, at timestamptz DEFAULT clock_timestamp())")
			.update();
		EngineSettings settings = EngineSettings.builder()
			.schema(postgres.schema())
			.workers(4)
			.pollInterval(Duration.ofMillis(500))
			.build();
		for (String node : NODES) {
			HikariDataSource dataSource = postgres.newDataSource(12);
			this.dataSources.add(dataSource);
			this.engines.add(Engine.builder(dataSource, registry(node, dataSource))
				.settings(settings.toBuilder().nodeId(node).build())
				.build());
		}
		this.client = new TaskClient(postgres.dataSource(), registry("client", postgres.dataSource()), new TaskJson(),
				settings);
	}

	@AfterEach
	void tearDown() {
		this.engines.forEach(Engine::stop);
		this.dataSources.forEach(HikariDataSource::close);
	}

	@Test
	void neverMoreTasksOfAKeyRunAtOnceThanItsLimitWhateverTheNodes() {
		this.engines.forEach(Engine::start);
		for (int n = 0; n < TASKS_PER_KEY; n++) {
			for (int key = 0; key < KEYS; key++) {
				// Key 0 allows two at once, the others are mutexes.
				SendOptions options = SendOptions.owner("app").concurrencyKey("customer-" + key, (key == 0) ? 2 : 1);
				this.client.send("call.partner", options, key * 100 + n);
			}
			this.client.send("call.other", "app", n);
		}

		TaskCounts counts = new TaskCounts(postgres);
		await().atMost(Duration.ofMinutes(2))
			.untilAsserted(() -> assertThat(counts.withStatus("SUCCESS")).isEqualTo(KEYS * TASKS_PER_KEY + TASKS_PER_KEY));

		assertThat(mostAtOnce("customer-0")).as("most calls of a key of limit 2 at once").isEqualTo(2);
		for (int key = 1; key < KEYS; key++) {
			assertThat(mostAtOnce("customer-" + key)).as("most calls of a mutex key at once").isEqualTo(1);
		}
		assertThat(mostAtOnce("%")).as("calls of all keys at once").isGreaterThan(2);
		assertThat(postgres.jdbc()
			.sql("SELECT max(attempt) FROM " + postgres.schema() + ".autotask_task")
			.query(Integer.class)
			.single()).as("attempts spent").isEqualTo(1);
		assertThat(postgres.jdbc()
			.sql("SELECT count(DISTINCT node) FROM " + calls() + " WHERE event LIKE 'start:customer-%'")
			.query(Long.class)
			.single()).as("nodes that ran keyed calls").isGreaterThan(1);
	}

	@Test
	void aConcurrencyKeyOutOfRangeIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> SendOptions.owner("app").concurrencyKey(""))
			.withMessage("Concurrency key must be 1 to 200 characters, got ''");
		assertThatIllegalArgumentException().isThrownBy(() -> SendOptions.owner("app").concurrencyKey("k", 0))
			.withMessage("Concurrency limit must be between 1 and 10000, got 0");
	}

	// The most calls of a key (a LIKE pattern) between their start and end at any instant: +1 at
	// each start, -1 at each end, summed in time order (an end before a start of the same instant).
	private long mostAtOnce(String key) {
		return postgres.jdbc().sql("""
				SELECT max(running) FROM (
					SELECT sum(CASE WHEN event LIKE 'start:%%' THEN 1 ELSE -1 END)
						OVER (ORDER BY at, event LIKE 'start:%%', task) AS running
					FROM %s WHERE event LIKE 'start:' || :key OR event LIKE 'end:' || :key) AS timeline""".formatted(calls()))
			.param("key", key)
			.query(Long.class)
			.single();
	}

	private TaskRegistry registry(String node, DataSource dataSource) {
		TaskRegistry registry = new TaskRegistry();
		registry.register(TaskDefinition.of("call.partner",
				(args) -> call(dataSource, node, "customer-" + ((Integer) args[0] / 100), (Integer) args[0]),
				new TaskParameter("n", int.class)));
		registry.register(TaskDefinition.of("call.other", (args) -> call(dataSource, node, "none", (Integer) args[0]),
				new TaskParameter("n", int.class)));
		return registry;
	}

	private static Object call(DataSource dataSource, String node, String key, int n) {
		record(dataSource, n, node, "start:" + key);
		// The call's work: it lasts, so that calls overlap if the limit lets them.
		try {
			Thread.sleep(30);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		record(dataSource, n, node, "end:" + key);
		return null;
	}

	private static void record(DataSource dataSource, int n, String node, String event) {
		JdbcClient.create(dataSource)
			.sql("INSERT INTO " + calls() + " (task, node, event) VALUES (?, ?, ?)")
			.params(n, node, event)
			.update();
	}

	private static String calls() {
		return postgres.schema() + ".keyed_calls";
	}

}
