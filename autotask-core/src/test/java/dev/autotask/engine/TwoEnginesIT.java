package dev.autotask.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two engines, each with its own connection pool, sharing one task table: every task runs
 * exactly once, whichever node claims it.
 */
class TwoEnginesIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final Logger logger = LoggerFactory.getLogger(TwoEnginesIT.class);

	private static final int TASKS = 2000;

	private static final String OWNER = "app-a";

	private static final List<String> NODES = List.of("node-a", "node-b");

	// How often each n ran, on any node.
	private final Map<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();

	// How many tasks each node ran.
	private final Map<String, AtomicInteger> runsByNode = new ConcurrentHashMap<>();

	private final List<Engine> engines = new ArrayList<>();

	private final List<HikariDataSource> dataSources = new ArrayList<>();

	private TaskCounts counts;

	private TaskClient client;

	@BeforeEach
	void setUp() {
		this.counts = new TaskCounts(postgres);
		TaskJson json = new TaskJson();
		EngineSettings settings = EngineSettings.builder().schema(postgres.schema()).build();
		for (String node : NODES) {
			// Workers, plus the notifier's connection, the dispatcher's and the pruner's.
			HikariDataSource dataSource = postgres.newDataSource(settings.workers() + 3);
			this.dataSources.add(dataSource);
			this.engines.add(Engine.builder(dataSource, registry(node))
				.settings(settings.toBuilder().nodeId(node).build())
				.build());
		}
		this.client = new TaskClient(postgres.dataSource(), registry("client"), json, settings);
	}

	@AfterEach
	void tearDown() {
		this.engines.forEach(Engine::stop);
		this.dataSources.forEach(HikariDataSource::close);
	}

	@Test
	void tasksEnqueuedBeforeStartRunExactlyOnceAcrossBothEngines() {
		send(0, TASKS);
		long started = System.nanoTime();

		this.engines.forEach(Engine::start);

		awaitAllSucceeded();
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		assertEachTaskRanExactlyOnce();
		logSplit("enqueued before start", took);
	}

	@Test
	void tasksEnqueuedWhileBothEnginesRunFromTwoProducersRunExactlyOnce() throws Exception {
		this.engines.forEach(Engine::start);
		ExecutorService producers = Executors.newFixedThreadPool(2);
		long started = System.nanoTime();
		try {
			CompletableFuture.allOf(CompletableFuture.runAsync(() -> send(0, TASKS / 2), producers),
					CompletableFuture.runAsync(() -> send(TASKS / 2, TASKS), producers))
				.get(2, TimeUnit.MINUTES);
		}
		finally {
			producers.shutdown();
		}

		awaitAllSucceeded();
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		assertEachTaskRanExactlyOnce();
		logSplit("enqueued by two producers while running", took);
	}

	private TaskRegistry registry(String node) {
		TaskRegistry registry = new TaskRegistry();
		registry.register(TaskDefinition.of("count", (args) -> {
			this.runs.computeIfAbsent((Integer) args[0], (n) -> new AtomicInteger()).incrementAndGet();
			this.runsByNode.computeIfAbsent(node, (name) -> new AtomicInteger()).incrementAndGet();
			return null;
		}, new TaskParameter("n", int.class)));
		return registry;
	}

	private void send(int from, int to) {
		for (int n = from; n < to; n++) {
			this.client.send("count", OWNER, n);
		}
	}

	private void awaitAllSucceeded() {
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(100))
			.untilAsserted(() -> assertThat(this.counts.withStatus("SUCCESS")).isEqualTo(TASKS));
	}

	private void assertEachTaskRanExactlyOnce() {
		// Stopping waits for running tasks: a second run of a task, if any, has been counted.
		this.engines.forEach(Engine::stop);
		List<Integer> neverRan = IntStream.range(0, TASKS).filter((n) -> !this.runs.containsKey(n)).boxed().toList();
		Map<Integer, Integer> ranMoreThanOnce = new TreeMap<>();
		this.runs.forEach((n, count) -> {
			if (count.get() != 1) {
				ranMoreThanOnce.put(n, count.get());
			}
		});
		assertThat(neverRan).as("n that never ran").isEmpty();
		assertThat(ranMoreThanOnce).as("n that ran more than once, with their runs").isEmpty();
		assertThat(this.runs).hasSize(TASKS);
		assertThat(this.counts.withStatus("PENDING", "RUNNING")).isZero();
		assertThat(this.counts.byStatus()).containsExactly(Map.entry("SUCCESS", (long) TASKS));
		// Each row names the node whose run of it we counted.
		assertThat(this.counts.byNode("SUCCESS")).isEqualTo(runsByNodeAsLongs());
	}

	private Map<String, Long> runsByNodeAsLongs() {
		Map<String, Long> byNode = new TreeMap<>();
		this.runsByNode.forEach((node, count) -> byNode.put(node, count.longValue()));
		return byNode;
	}

	private void logSplit(String how, Duration took) {
		// How the work splits depends on timing; it is reported, not asserted.
		logger.info("{} tasks {} ran in {} ms: {}", TASKS, how, took.toMillis(), runsByNodeAsLongs());
	}

}
