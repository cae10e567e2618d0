package dev.autotask.engine;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.autotask.TaskContext;
import dev.autotask.TaskHandle;
import dev.autotask.TaskInfo;
import dev.autotask.TaskStatus;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.EngineExtension;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An iterative task walks 100,000 rows in chunks, one short execution each, and a crash in the
 * middle of a chunk resumes after the last committed chunk: every row is processed once.
 */
class IterativeTaskIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final int ROWS = 100_000;

	private static final int CHUNK = 2_000;

	private final TaskRegistry registry = new TaskRegistry();

	private final AtomicInteger chunksRun = new AtomicInteger();

	private final AtomicBoolean crashOnce = new AtomicBoolean(true);

	private JdbcClient jdbc;

	@RegisterExtension
	final EngineExtension node = new EngineExtension(postgres, this.registry, (settings) -> settings.retryDelay(Duration.ofMillis(10))
		.pollInterval(Duration.ofSeconds(30)));

	@BeforeEach
	void setUp() {
		this.jdbc = postgres.jdbc();
		this.jdbc.sql("DROP TABLE IF EXISTS item").update();
		this.jdbc.sql("CREATE TABLE item (id bigint PRIMARY KEY, processed int NOT NULL DEFAULT 0)").update();
		this.jdbc.sql("INSERT INTO item (id) SELECT generate_series(1, " + ROWS + ")").update();
		this.registry.register(TaskDefinition.of("touchAll", (args) -> {
			int crashAfter = (int) args[0];
			TaskContext context = TaskContext.current().orElseThrow();
			context.iterate(Long.class, 0L, (lastId) -> {
				int chunk = this.chunksRun.incrementAndGet();
				// The same connection as the checkpoint: the chunk and its cursor commit together.
				int touched = this.jdbc
					.sql("UPDATE item SET processed = processed + 1 WHERE id > ? AND id <= ?")
					.params(lastId, lastId + CHUNK)
					.update();
				if (chunk == crashAfter && this.crashOnce.getAndSet(false)) {
					throw new IllegalStateException("crash in the middle of chunk " + chunk);
				}
				return (touched == 0) ? null : lastId + CHUNK;
			});
			return null;
		}, new TaskParameter("crashAfter", int.class)).withRetries(3));
	}

	@Test
	void walksEveryRowOnceInChunksAndResumesAfterACrashFromTheLastCommittedChunk() {
		this.node.engine().start();

		TaskHandle<Object> handle = this.node.client().send("touchAll", "app", 20);

		await().atMost(Duration.ofSeconds(60)).until(() -> handle.refresh().isReady());
		assertThat(handle.status()).isEqualTo(TaskStatus.SUCCESS);
		assertThat(this.jdbc.sql("SELECT count(*) FROM item WHERE processed = 1").query(Long.class).single())
			.as("rows processed exactly once")
			.isEqualTo(ROWS);
		// 50 chunks with rows, one that finds none, and the crashed chunk run again.
		assertThat(this.chunksRun).hasValue(ROWS / CHUNK + 1 + 1);
		TaskInfo info = this.node.client().status(handle.id(), "app").orElseThrow();
		assertThat(info.attempt()).as("the crash spent one attempt").isEqualTo(2);
		assertThat(info.progress()).contains("\"done\": " + (ROWS / CHUNK + 1));
		assertThat(info.error().message()).isEqualTo("crash in the middle of chunk 20");
	}

}
