package dev.autotask.engine;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.autotask.SendOptions;
import dev.autotask.internal.engine.TaskClient;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.task.ConcurrencyKey;
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

	private static final Duration WORK = Duration.ofMillis(30);

	// The limited queue has one thread fewer on each node than the cluster allows at once, so
	// that reaching the limit takes two nodes: a node whose thread frees claims again at once, and
	// with threads enough it could hold the queue's every slot and run all its tasks alone.
	private static final int QUEUE_LIMIT = 3;

	private CallLog calls;

	private EngineCluster cluster;

	private TaskClient client;

	@BeforeEach
	void setUp() {
		this.calls = new CallLog(postgres, "keyed_calls");
		EngineSettings settings = EngineSettings.builder()
			.schema(postgres.schema())
			.workers(4)
			.pollInterval(Duration.ofMillis(500))
			.queueConcurrency(Map.of("limited", QUEUE_LIMIT - 1))
			.queueGlobalConcurrency(Map.of("limited", QUEUE_LIMIT))
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
	void neverMoreTasksOfAKeyRunAtOnceThanItsLimitWhateverTheNodes() {
		this.cluster.start();
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

		assertThat(this.calls.mostAtOnce("customer-0")).as("most calls of a key of limit 2 at once").isEqualTo(2);
		for (int key = 1; key < KEYS; key++) {
			assertThat(this.calls.mostAtOnce("customer-" + key)).as("most calls of a mutex key at once").isEqualTo(1);
		}
		assertThat(this.calls.mostAtOnce("%")).as("calls of all keys at once").isGreaterThan(2);
		assertThat(postgres.jdbc()
			.sql("SELECT max(attempt) FROM " + postgres.schema() + ".autotask_task")
			.query(Integer.class)
			.single()).as("attempts spent").isEqualTo(1);
		assertThat(this.calls.nodes("customer-%")).as("nodes that ran keyed calls").isGreaterThan(1);
	}

	@Test
	void keysHoldOnAQueueLimitedAcrossTheClusterAndCountTowardsItsLimit() {
		this.cluster.start();
		// Each key's tasks one after the other, so that a claim that ignored the keys would take
		// several of one key at once. The key is the first argument, as
		// @DelayedTask(concurrencyKey = "key") declares.
		for (int key = 0; key < KEYS; key++) {
			for (int n = 0; n < TASKS_PER_KEY; n++) {
				this.client.send("limited.keyed", "app", "limited-key-" + key, n);
			}
		}
		for (int n = 0; n < TASKS_PER_KEY; n++) {
			this.client.send("limited.plain", "app", n);
		}

		TaskCounts counts = new TaskCounts(postgres);
		await().atMost(Duration.ofMinutes(2))
			.untilAsserted(() -> assertThat(counts.withStatus("SUCCESS")).isEqualTo(KEYS * TASKS_PER_KEY + TASKS_PER_KEY));

		for (int key = 0; key < KEYS; key++) {
			assertThat(this.calls.mostAtOnce("limited-key-" + key)).as("most calls of a mutex key at once").isEqualTo(1);
		}
		assertThat(this.calls.mostAtOnce("limited-%")).as("most calls of the limited queue at once")
			.isEqualTo(QUEUE_LIMIT);
		assertThat(this.calls.nodes("limited-key-%")).as("nodes that ran keyed calls").isGreaterThan(1);
	}

	@Test
	void aConcurrencyKeyOutOfRangeIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> SendOptions.owner("app").concurrencyKey(""))
			.withMessage("Concurrency key must be 1 to 200 characters, got ''");
		assertThatIllegalArgumentException().isThrownBy(() -> SendOptions.owner("app").concurrencyKey("k", 0))
			.withMessage("Concurrency limit of key 'k' must be between 1 and 10000, got 0 (for a rate limit alone, use"
					+ " rateLimitKey)");
	}

	private TaskRegistry registry(String node, DataSource dataSource) {
		TaskRegistry registry = new TaskRegistry();
		registry.register(TaskDefinition.of("call.partner",
				(args) -> this.calls.call(dataSource, node, "customer-" + ((Integer) args[0] / 100), (Integer) args[0], WORK),
				new TaskParameter("n", int.class)));
		registry.register(TaskDefinition.of("limited.keyed",
				(args) -> this.calls.call(dataSource, node, (String) args[0], (Integer) args[1], WORK),
				new TaskParameter("key", String.class), new TaskParameter("n", int.class))
			.withQueue("limited")
			.withConcurrencyKey(new ConcurrencyKey("key", 1, 0, null)));
		registry.register(TaskDefinition.of("limited.plain",
				(args) -> this.calls.call(dataSource, node, "limited-plain", (Integer) args[0], WORK),
				new TaskParameter("n", int.class))
			.withQueue("limited"));
		registry.register(TaskDefinition.of("call.other", (args) -> this.calls.call(dataSource, node, "none", (Integer) args[0], WORK),
				new TaskParameter("n", int.class)));
		return registry;
	}

}
