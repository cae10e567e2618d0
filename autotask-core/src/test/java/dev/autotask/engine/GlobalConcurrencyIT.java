package dev.autotask.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
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
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A queue limited across the cluster: three engines, each with its own pool and workers to
 * spare, never run more of its tasks at once than the limit, at any instant, as the tasks
 * themselves record their starts and ends in a table of the test's own on the database's clock;
 * and they do reach the limit, sharing the work. Other queues run beside it unlimited.
 */
class GlobalConcurrencyIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final int LIMIT = 2;

	private static final int TASKS = 60;

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
			.queueGlobalConcurrency(Map.of("partner", LIMIT))
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
	void neverMoreTasksOfTheQueueRunAtOnceThanItsLimitWhateverTheNodes() {
		this.engines.forEach(Engine::start);
		for (int n = 0; n < TASKS; n++) {
			this.client.send("call.partner", "app", n);
		}
		for (int n = 0; n < 10; n++) {
			this.client.send("call.other", "app", n);
		}

		TaskCounts counts = new TaskCounts(postgres);
		await().atMost(Duration.ofMinutes(2))
			.untilAsserted(() -> assertThat(counts.withStatus("SUCCESS")).isEqualTo(TASKS + 10));

		assertThat(mostAtOnce("partner")).as("most partner calls at once, on the database's clock").isEqualTo(LIMIT);
		assertThat(mostAtOnce("other")).as("the other queue is not limited").isGreaterThan(LIMIT);
		assertThat(postgres.jdbc()
			.sql("SELECT count(DISTINCT node) FROM " + calls() + " WHERE event = 'start:partner'")
			.query(Long.class)
			.single()).as("nodes that ran partner calls").isGreaterThan(1);
	}

	@Test
	void aLimitBelowOneIsRefusedNamingTheQueue() {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> EngineSettings.builder().queueGlobalConcurrency(Map.of("partner", 0)).build())
			.withMessage("queueGlobalConcurrency of queue 'partner' must be at least 1, was 0");
	}

	// The most calls of a queue between their start and end at any instant: +1 at each start,
	// -1 at each end, summed in time order (an end before a start of the same instant).
	private long mostAtOnce(String queue) {
		return postgres.jdbc().sql("""
				SELECT max(running) FROM (
					SELECT sum(CASE WHEN event LIKE 'start:%%' THEN 1 ELSE -1 END)
						OVER (ORDER BY at, event LIKE 'start:%%', task) AS running
					FROM %s WHERE event IN ('start:' || :queue, 'end:' || :queue)) AS timeline""".formatted(calls()))
			.param("queue", queue)
			.query(Long.class)
			.single();
	}

	private TaskRegistry registry(String node, DataSource dataSource) {
		TaskRegistry registry = new TaskRegistry();
		registry.register(TaskDefinition.of("call.partner", (args) -> call(dataSource, node, "partner", (Integer) args[0]),
				new TaskParameter("n", int.class)).withQueue("partner"));
		registry.register(TaskDefinition.of("call.other", (args) -> call(dataSource, node, "other", (Integer) args[0]),
				new TaskParameter("n", int.class)).withQueue("other"));
		return registry;
	}

	private static Object call(DataSource dataSource, String node, String queue, int n) {
		record(dataSource, n, node, "start:" + queue);
		// The call's work: it lasts, so that calls overlap if the limit lets them.
		try {
			Thread.sleep(30);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		record(dataSource, n, node, "end:" + queue);
		return null;
	}

	private static void record(DataSource dataSource, int n, String node, String event) {
		JdbcClient.create(dataSource)
			.sql("INSERT INTO " + calls() + " (task, node, event) VALUES (?, ?, ?)")
			.params(n, node, event)
			.update();
	}

	private static String calls() {
		return postgres.schema() + ".partner_calls";
	}

}
