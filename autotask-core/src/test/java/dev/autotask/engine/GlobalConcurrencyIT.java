package dev.autotask.engine;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.autotask.internal.engine.TaskClient;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.CallLog;
import dev.autotask.testsupport.EngineCluster;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskCounts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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

	private static final Duration WORK = Duration.ofMillis(30);

	private CallLog calls;

	private EngineCluster cluster;

	private TaskClient client;

	@BeforeEach
	void setUp() {
		this.calls = new CallLog(postgres, "partner_calls");
		EngineSettings settings = EngineSettings.builder()
			.schema(postgres.schema())
			.workers(4)
			.pollInterval(Duration.ofMillis(500))
			.queueGlobalConcurrency(Map.of("partner", LIMIT))
			.build();
		this.cluster = new EngineCluster(postgres, settings, List.of("node-a", "node-b", "node-c"),
				(node, dataSource) -> registry(node, dataSource));
		this.client = new TaskClient(postgres.dataSource(), registry("client", postgres.dataSource()), new TaskJson(),
				settings);
	}

	@AfterEach
	void tearDown() {
		this.cluster.close();
	}

	@Test
	void neverMoreTasksOfTheQueueRunAtOnceThanItsLimitWhateverTheNodes() {
		this.cluster.start();
		for (int n = 0; n < TASKS; n++) {
			this.client.send("call.partner", "app", n);
		}
		for (int n = 0; n < 10; n++) {
			this.client.send("call.other", "app", n);
		}

		TaskCounts counts = new TaskCounts(postgres);
		await().atMost(Duration.ofMinutes(2))
			.untilAsserted(() -> assertThat(counts.withStatus("SUCCESS")).isEqualTo(TASKS + 10));

		assertThat(this.calls.mostAtOnce("partner")).as("most partner calls at once, on the database's clock")
			.isEqualTo(LIMIT);
		assertThat(this.calls.mostAtOnce("other")).as("the other queue is not limited").isGreaterThan(LIMIT);
		assertThat(this.calls.nodes("partner")).as("nodes that ran partner calls").isGreaterThan(1);
	}

	@Test
	void aLimitBelowOneIsRefusedNamingTheQueue() {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> EngineSettings.builder().queueGlobalConcurrency(Map.of("partner", 0)).build())
			.withMessage("queueGlobalConcurrency of queue 'partner' must be at least 1, was 0");
	}

	private TaskRegistry registry(String node, DataSource dataSource) {
		TaskRegistry registry = new TaskRegistry();
		registry.register(TaskDefinition.of("call.partner",
				(args) -> this.calls.call(dataSource, node, "partner", (Integer) args[0], WORK),
				new TaskParameter("n", int.class)).withQueue("partner"));
		registry.register(TaskDefinition.of("call.other",
				(args) -> this.calls.call(dataSource, node, "other", (Integer) args[0], WORK),
				new TaskParameter("n", int.class)).withQueue("other"));
		return registry;
	}

}
