package dev.autotask.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.autotask.TaskHandle;
import dev.autotask.TaskInfo;
import dev.autotask.TaskStatus;
import dev.autotask.internal.engine.TaskClient;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.EngineProcess;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskCounts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The poison task that fills the heap: in an engine process with a small heap, a task that
 * allocates until {@link OutOfMemoryError} fails its attempts like any other exception, ends
 * as FAILURE once its retries are spent, and the queue behind it keeps flowing. (The task that
 * always throws is {@code EngineIT}'s, the one that never returns {@code SupervisedEnginesIT}'s.)
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OutOfMemoryIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final int WORK = 100;

	private static final String OWNER = "oom";

	private EngineProcess process;

	@AfterEach
	void tearDown() {
		if (this.process != null) {
			this.process.close();
		}
	}

	@Test
	void taskThatFillsTheHeapFailsAfterItsRetriesAndTheQueueFlowsOn() throws Exception {
		JdbcClient jdbc = postgres.jdbc();
		EngineProcess.createWorkLog(jdbc);
		TaskRegistry registry = new TaskRegistry();
		// A work task meets the full heap too while the hog fills it, and under load that lasts
		// seconds: retries with back-off up to about 25 s outlast it.
		registry.register(EngineProcess.work((args) -> null).withRetries(8));
		registry.register(EngineProcess.hog(2));
		TaskClient client = new TaskClient(postgres.dataSource(), registry, new TaskJson(),
				EngineSettings.builder().schema(postgres.schema()).build());
		Path logs = Path.of("target", "out-of-memory");
		this.process = EngineProcess.start(postgres, "small-heap", logs, List.of("-Xmx64m"));
		this.process.awaitReady(Duration.ofSeconds(30));

		TaskHandle<Object> hog = client.send(EngineProcess.HOG, OWNER);
		for (int n = 0; n < WORK; n++) {
			client.send(EngineProcess.WORK, OWNER, n);
		}

		TaskCounts counts = new TaskCounts(postgres);
		await().atMost(Duration.ofSeconds(90))
			.failFast("the engine process died", () -> !this.process.isAlive())
			.untilAsserted(() -> {
				// Asserted, so that a timeout shows where the tasks stand, and why.
				assertThat(counts.byStatus()).as(() -> "tasks that did not succeed: " + notSucceeded(jdbc))
					.containsEntry("SUCCESS", (long) WORK);
				assertThat(hog.refresh().isReady()).isTrue();
			});
		assertThat(hog.status()).isEqualTo(TaskStatus.FAILURE);
		TaskInfo info = client.status(hog.id(), OWNER).orElseThrow();
		assertThat(info.attempt()).isEqualTo(3);
		assertThat(info.error().type()).isEqualTo(OutOfMemoryError.class.getName());
		assertThat(counts.byStatus()).containsExactly(Map.entry("FAILURE", 1L), Map.entry("SUCCESS", (long) WORK));
		// A work task whose attempt met the full heap too was retried; none was left behind.
		List<Map<String, Object>> runs = jdbc.sql("""
				SELECT (t.args->>0)::int AS n, t.attempt, count(w.id) AS runs FROM autotask_task t
				LEFT JOIN work_log w ON w.n = (t.args->>0)::int
				WHERE t.name = 'work' GROUP BY t.id""").query().listOfRows();
		assertThat(runs).hasSize(WORK)
			.allSatisfy((row) -> assertThat(((Number) row.get("runs")).intValue()).as("runs of %s", row.get("n"))
				.isLessThanOrEqualTo(((Number) row.get("attempt")).intValue()));
		assertThat(this.process.isAlive()).isTrue();
		// The engine's log is on its standard output; what a dying thread prints, on its error.
		assertThat(Files.readString(newest(logs, ".out")))
			.contains("Task " + hog.id() + " (hog) failed after 3 attempt(s)");
		assertThat(Files.readString(newest(logs, ".err"))).doesNotContain("Exception in thread");
		System.out.printf("[autotask] out of memory: hog failed after %d attempts, %d work tasks succeeded%n",
				info.attempt(), WORK);
	}

	private static List<Map<String, Object>> notSucceeded(JdbcClient jdbc) {
		return jdbc.sql("""
				SELECT id, name, status, attempt, max_attempts, rescues, node_id, error->>'type' AS type,
					left(error->>'message', 200) AS message
				FROM autotask_task WHERE status <> 'SUCCESS' ORDER BY id""").query().listOfRows();
	}

	private static Path newest(Path logs, String suffix) throws IOException {
		try (Stream<Path> files = Files.list(logs)) {
			return files.filter((file) -> file.getFileName().toString().endsWith(suffix))
				.max(Comparator.comparing((file) -> file.toFile().lastModified()))
				.orElseThrow();
		}
	}

}
