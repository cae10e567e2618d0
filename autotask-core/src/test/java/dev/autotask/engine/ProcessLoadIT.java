package dev.autotask.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.autotask.internal.engine.TaskClient;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.EngineProcess;
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
 * {@link LoadIT} across JVMs: three engine processes drain tasks that four producer threads of
 * the test's JVM enqueue concurrently. Every task ends, and runs exactly once, counted in the
 * {@code work_log} table the task itself writes; no deadlock, and no ERROR in the engines'
 * logs. CI runs 5,000 tasks; {@code -Dautotask.process-load.tasks=100000} is the full size.
 * The time limit grows with the size.
 */
class ProcessLoadIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final int TASKS = Integer.getInteger("autotask.process-load.tasks", 5_000);

	private static final int PRODUCERS = 4;

	private static final List<String> NODES = List.of("node-a", "node-b", "node-c");

	private final List<EngineProcess> processes = new ArrayList<>();

	@AfterEach
	void tearDown() {
		this.processes.forEach(EngineProcess::close);
	}

	@Test
	void threeEngineProcessesRunEveryTaskExactlyOnceWhileFourProducersEnqueue() throws Exception {
		JdbcClient jdbc = postgres.jdbc();
		EngineProcess.createWorkLog(jdbc);
		Path logs = Path.of("target", "process-load");
		deleteLogs(logs);
		for (String node : NODES) {
			EngineProcess process = EngineProcess.start(postgres, node, logs,
					List.of(EngineProcess.workTime(Duration.ZERO), EngineProcess.workers(4)));
			this.processes.add(process);
		}
		for (EngineProcess process : this.processes) {
			process.awaitReady(Duration.ofSeconds(30));
		}
		TaskRegistry registry = new TaskRegistry();
		registry.register(EngineProcess.work((args) -> null));
		TaskClient client = new TaskClient(postgres.dataSource(), registry, new TaskJson(),
				EngineSettings.builder().schema(postgres.schema()).build());
		long deadlocksBefore = deadlocks(jdbc);
		Duration limit = Duration.ofSeconds(60 + TASKS / 100);
		long started = System.nanoTime();

		Producers.send(PRODUCERS, TASKS, limit, (n) -> client.send(EngineProcess.WORK, "load", n));
		TaskCounts counts = new TaskCounts(postgres);
		await().atMost(limit)
			.pollInterval(Duration.ofMillis(250))
			.failFast("an engine process died", () -> this.processes.stream().anyMatch((process) -> !process.isAlive()))
			.until(() -> counts.withStatus("SUCCESS") == TASKS);
		long millis = (System.nanoTime() - started) / 1_000_000;

		assertThat(counts.byStatus()).containsOnlyKeys("SUCCESS");
		assertThat(jdbc.sql("SELECT count(*) FROM work_log").query(Long.class).single()).isEqualTo(TASKS);
		assertThat(jdbc.sql("SELECT count(DISTINCT n) FROM work_log").query(Long.class).single()).isEqualTo(TASKS);
		assertThat(jdbc.sql("SELECT count(*) FROM work_log WHERE ended_at IS NULL").query(Long.class).single()).isZero();
		assertThat(deadlocks(jdbc)).as("deadlocks in the database").isEqualTo(deadlocksBefore);
		List<String> byNode = jdbc.sql("SELECT node, count(*) FROM work_log GROUP BY node ORDER BY node")
			.query((rs, row) -> rs.getString(1) + "=" + rs.getLong(2))
			.list();
		assertThat(byNode).hasSize(NODES.size());
		for (EngineProcess process : this.processes) {
			assertThat(process.isAlive()).isTrue();
		}
		assertThat(errorLines(logs)).as("ERROR lines in the engines' logs").isEmpty();
		System.out.printf(
				"[autotask] process load: %d tasks from %d producers through 3 engine processes in %d ms (%d tasks/s), by node %s%n",
				TASKS, PRODUCERS, millis, TASKS * 1000L / Math.max(millis, 1), byNode);
	}

	private static long deadlocks(JdbcClient jdbc) {
		return jdbc.sql("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
			.query(Long.class)
			.single();
	}

	private static List<String> errorLines(Path logs) throws IOException {
		List<String> errors = new ArrayList<>();
		try (Stream<Path> files = Files.list(logs)) {
			for (Path file : files.toList()) {
				Files.readAllLines(file)
					.stream()
					.filter((line) -> line.contains(" ERROR ") || line.startsWith("Exception in thread"))
					.map((line) -> file.getFileName() + ": " + line)
					.forEach(errors::add);
			}
		}
		return errors;
	}

	private static void deleteLogs(Path logs) throws IOException {
		if (Files.isDirectory(logs)) {
			try (Stream<Path> files = Files.list(logs)) {
				for (Path file : files.toList()) {
					Files.delete(file);
				}
			}
		}
	}

}
