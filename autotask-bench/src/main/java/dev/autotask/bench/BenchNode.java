package dev.autotask.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import com.zaxxer.hikari.HikariDataSource;
import dev.autotask.TaskEventSink;
import dev.autotask.engine.Engine;
import dev.autotask.engine.EngineSettings;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;

/**
 * One engine in a JVM of its own, for {@link NodeScaling}: started as
 * {@code java -jar autotask-bench.jar node <url> <user> <schema> <node id> <workers>}, it runs the
 * bench's tasks ({@code noop}, and {@code sleep10}, which sleeps 10 ms) from the schema until its
 * standard input closes.
 */
final class BenchNode {

	static final String NOOP = "noop";

	static final String SLEEP = "sleep10";

	private BenchNode() {
	}

	static void main(String[] args) throws Exception {
		Database database = new Database(args[0], args[1]);
		String schema = args[2];
		TaskRegistry registry = new TaskRegistry();
		registry.register(TaskDefinition.of(NOOP, (ignored) -> null));
		registry.register(TaskDefinition.of(SLEEP, (ignored) -> {
			Thread.sleep(10);
			return null;
		}));
		int workers = Integer.parseInt(args[4]);
		try (HikariDataSource pool = database.pool(schema, workers + 4, "autotask-" + args[3])) {
			EngineSettings settings = EngineSettings.builder()
				.schema(schema)
				.nodeId(args[3])
				.workers(workers)
				.events(true)
				.pollInterval(Duration.ofMillis(100))
				.build();
			// Takes every event, as the starter's sink of Spring application events does with no listener.
			TaskEventSink sink = (events) -> {
			};
			Engine engine = Engine.builder(pool, registry).settings(settings).sinks(List.of(sink)).build();
			engine.start();
			// Runs until the parent closes our standard input (or dies).
			CountDownLatch done = new CountDownLatch(1);
			Thread reader = new Thread(() -> {
				try {
					while (System.in.read() >= 0) {
						// Nothing to read but the end.
					}
				}
				catch (IOException ex) {
					// The parent is gone.
				}
				done.countDown();
			});
			reader.setDaemon(true);
			reader.start();
			done.await();
			engine.stop();
		}
	}

}
