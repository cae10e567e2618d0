package dev.autotask.engine;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import dev.autotask.AttemptError;
import dev.autotask.SendOptions;
import dev.autotask.TaskInfo;
import dev.autotask.TaskQuery;
import dev.autotask.TaskStatus;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.EngineExtension;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Each failed attempt's error is kept when the next attempt's takes its place, so that whoever
 * looks at a task that failed three times, or failed and then succeeded, sees why each time.
 */
class AttemptErrorsIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private final TaskRegistry registry = new TaskRegistry();

	@RegisterExtension
	final EngineExtension node = new EngineExtension(postgres, this.registry,
			(settings) -> settings.workers(1).retryDelay(Duration.ofMillis(10)).maxRetryDelay(Duration.ofMillis(10)));

	@Test
	void everyFailedAttemptIsKeptInOrderThroughRetriesToSuccess() {
		AtomicInteger calls = new AtomicInteger();
		this.registry.register(TaskDefinition.of("flaky", (args) -> {
			int call = calls.incrementAndGet();
			if (call < 3) {
				throw new IllegalStateException("failure number " + call);
			}
			return "done";
		}).withRetries(3));
		this.node.engine().start();

		long id = this.node.client().send("flaky", SendOptions.owner("o")).id();

		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.node.client().status(id, "o").orElseThrow().status() == TaskStatus.SUCCESS);
		TaskInfo task = this.node.client().status(id, "o").orElseThrow();
		assertThat(task.attemptErrors()).extracting(AttemptError::attempt, AttemptError::type, AttemptError::message)
			.containsExactly(tuple(1, "java.lang.IllegalStateException", "failure number 1"),
					tuple(2, "java.lang.IllegalStateException", "failure number 2"));
		assertThat(task.attemptErrors()).allSatisfy((failed) -> {
			assertThat(failed.node()).isEqualTo(this.node.engine().settings().nodeId());
			assertThat(failed.at()).isBeforeOrEqualTo(task.finishedAt());
		});
		// The success keeps the last attempt's error, and the console finds it by its text (V22).
		assertThat(this.node.client().find(TaskQuery.builder().errorContains("NUMBER 2").build(), "o").tasks())
			.extracting(TaskInfo::id)
			.containsExactly(id);
		assertThat(this.node.client().find(TaskQuery.builder().errorContains("number 1").build(), "o").tasks())
			.isEmpty();
	}

	@Test
	void aTaskThatNeverFailedHasNoAttemptErrors() {
		this.registry.register(TaskDefinition.of("fine", (args) -> "ok"));
		this.node.engine().start();

		long id = this.node.client().send("fine", SendOptions.owner("o")).id();

		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.node.client().status(id, "o").orElseThrow().status() == TaskStatus.SUCCESS);
		assertThat(this.node.client().status(id, "o").orElseThrow().attemptErrors()).isEmpty();
	}

}
