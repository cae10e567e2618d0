package dev.autotask.engine;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.autotask.SendOptions;
import dev.autotask.TaskFailure;
import dev.autotask.TaskHandle;
import dev.autotask.TaskStatus;
import dev.autotask.internal.engine.TaskClient;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a {@link TaskObserver} is told, and the MDC a task runs with.
 */
class TaskObserverIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final String OWNER = "app-a";

	private final TaskRegistry registry = new TaskRegistry();

	private final List<String> events = new CopyOnWriteArrayList<>();

	private final List<Duration> lags = new CopyOnWriteArrayList<>();

	private final List<Duration> runTimes = new CopyOnWriteArrayList<>();

	private TaskClient client;

	private Engine engine;

	@BeforeEach
	void setUp() {
		postgres.jdbc().sql("DELETE FROM " + postgres.schema() + ".autotask_task").update();
		EngineSettings settings = EngineSettings.builder()
			.schema(postgres.schema())
			.workers(2)
			.pollInterval(Duration.ofMinutes(1))
			.retryDelay(Duration.ofMillis(10))
			.build();
		TaskObserver observer = new TaskObserver() {

			@Override
			public void enqueued(String task, String queue) {
				TaskObserverIT.this.events.add("enqueued " + task + " " + queue);
			}

			@Override
			public void started(String task, String queue, Duration lag) {
				TaskObserverIT.this.lags.add(lag);
				TaskObserverIT.this.events.add("started " + task + " " + queue);
			}

			@Override
			public void ended(String task, String queue, Outcome outcome, Duration runTime) {
				TaskObserverIT.this.runTimes.add(runTime);
				TaskObserverIT.this.events.add(outcome + " " + task + " " + queue);
			}

		};
		TaskJson json = new TaskJson();
		this.client = new TaskClient(postgres.dataSource(), this.registry, json, settings, observer);
		this.engine = Engine.builder(postgres.dataSource(), this.registry)
			.settings(settings)
			.sinks(List.of())
			.observer(observer)
			.build();
	}

	@AfterEach
	void tearDown() {
		this.engine.stop();
	}

	@Test
	void reportsEnqueueStartAndSuccess() {
		this.registry.register(TaskDefinition.of("ok", (args) -> {
			Thread.sleep(50);
			return null;
		}).withQueue("reports"));
		this.engine.start();

		awaitEnd(this.client.send("ok", OWNER));

		assertThat(this.events).containsExactly("enqueued ok reports", "started ok reports", "SUCCESS ok reports");
		assertThat(this.runTimes).singleElement()
			.satisfies((runTime) -> assertThat(runTime).isGreaterThanOrEqualTo(Duration.ofMillis(50)));
		assertThat(this.lags).singleElement().satisfies((lag) -> assertThat(lag).isGreaterThanOrEqualTo(Duration.ZERO));
	}

	@Test
	void reportsEachRetryThenTheFailure() {
		AtomicInteger calls = new AtomicInteger();
		this.registry.register(TaskDefinition.of("flaky", (args) -> {
			calls.incrementAndGet();
			throw new IllegalStateException("down");
		}).withRetries(1));
		this.engine.start();

		awaitEnd(this.client.send("flaky", OWNER));

		assertThat(this.events).containsExactly("enqueued flaky default", "started flaky default",
				"RETRY flaky default", "started flaky default", "FAILURE flaky default");
		// The retry waited its back-off past run_at before it was claimed again: the lag is measured
		// from run_at, not from the enqueue.
		assertThat(this.lags).hasSize(2).allSatisfy((lag) -> assertThat(lag).isGreaterThanOrEqualTo(Duration.ZERO));
	}

	@Test
	void reportsTaskFailureAsFailure() {
		this.registry.register(TaskDefinition.of("refused", (args) -> {
			throw new TaskFailure("no");
		}));
		this.engine.start();

		awaitEnd(this.client.send("refused", OWNER));

		assertThat(this.events).containsExactly("enqueued refused default", "started refused default",
				"FAILURE refused default");
	}

	@Test
	void lagIsTheWaitPastTheEarliestStart() {
		this.registry.register(TaskDefinition.of("late", (args) -> null));
		TaskHandle<Object> handle = this.client.send("late", OWNER);
		// The task was due two seconds before any engine ran.
		postgres.jdbc()
			.sql("UPDATE " + postgres.schema() + ".autotask_task SET run_at = now() - interval '2 seconds' WHERE id = ?")
			.param(handle.id())
			.update();
		this.engine.start();

		awaitEnd(handle);

		assertThat(this.lags).singleElement()
			.satisfies((lag) -> assertThat(lag).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(30)));
	}

	@Test
	void aDuplicateOfAUniqueTaskIsNotCountedAsEnqueued() {
		this.registry.register(TaskDefinition.of("once", (args) -> null));

		this.client.send("once", SendOptions.owner(OWNER).uniqueKey("k"));
		this.client.send("once", SendOptions.owner(OWNER).uniqueKey("k"));

		assertThat(this.events).containsExactly("enqueued once default");
	}

	@Test
	void aFailingObserverDoesNotChangeTheOutcome() {
		TaskObserver failing = new TaskObserver() {

			@Override
			public void enqueued(String task, String queue) {
				throw new IllegalStateException("observer down");
			}

			@Override
			public void ended(String task, String queue, Outcome outcome, Duration runTime) {
				throw new IllegalStateException("observer down");
			}

		};
		EngineSettings settings = this.engine.settings();
		TaskClient client = new TaskClient(postgres.dataSource(), this.registry, new TaskJson(), settings, failing);
		Engine engine = Engine.builder(postgres.dataSource(), this.registry)
			.settings(settings)
			.sinks(List.of())
			.observer(failing)
			.build();
		this.registry.register(TaskDefinition.of("ok", (args) -> null));
		engine.start();
		try {
			TaskHandle<Object> handle = client.send("ok", OWNER);
			await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().isReady());
			assertThat(handle.status()).isEqualTo(TaskStatus.SUCCESS);
		}
		finally {
			engine.stop();
		}
	}

	@Test
	void taskRunsWithItsIdAndNameInTheMdc() {
		Map<String, String> seen = new ConcurrentHashMap<>();
		this.registry.register(TaskDefinition.of("logged", (args) -> {
			seen.putAll(MDC.getCopyOfContextMap());
			return null;
		}));
		this.engine.start();

		TaskHandle<Object> handle = this.client.send("logged", OWNER);
		awaitEnd(handle);

		assertThat(seen).containsEntry("autotask.taskId", Long.toString(handle.id()))
			.containsEntry("autotask.taskName", "logged");
	}

	private void awaitEnd(TaskHandle<Object> handle) {
		await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().isReady());
		// The observer is told just after the outcome is written.
		await().atMost(Duration.ofSeconds(5))
			.until(() -> this.events.stream().anyMatch((event) -> event.startsWith("SUCCESS")
					|| event.startsWith("FAILURE")));
	}

}
