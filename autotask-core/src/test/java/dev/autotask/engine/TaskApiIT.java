package dev.autotask.engine;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import dev.autotask.SendOptions;
import dev.autotask.TaskContext;
import dev.autotask.TaskHandle;
import dev.autotask.TaskInfo;
import dev.autotask.TaskStatus;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.EngineExtension;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * The task API beyond send and status: options, uniqueness, cancellation, the task's context
 * and exceptions that stop retries.
 */
class TaskApiIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private final TaskRegistry registry = new TaskRegistry();

	private final CountDownLatch release = new CountDownLatch(1);

	@RegisterExtension
	final EngineExtension node = new EngineExtension(postgres, this.registry, (settings) -> settings.workers(2)
		.pollInterval(Duration.ofSeconds(30)));

	@AfterEach
	void tearDown() {
		this.release.countDown();
	}

	@Test
	void uniqueKeyReturnsThePendingTaskOfTheSameOwnerInsteadOfADuplicate() {
		this.registry.register(TaskDefinition.of("sync", (args) -> null, new TaskParameter("id", long.class)));

		TaskHandle<Object> first = this.node.client().send("sync", SendOptions.owner("a").uniqueKey("42"), 42L);
		TaskHandle<Object> again = this.node.client().send("sync", SendOptions.owner("a").uniqueKey("42"), 42L);
		TaskHandle<Object> otherOwner = this.node.client().send("sync", SendOptions.owner("b").uniqueKey("42"), 42L);
		TaskHandle<Object> otherKey = this.node.client().send("sync", SendOptions.owner("a").uniqueKey("43"), 43L);

		assertThat(again.id()).isEqualTo(first.id());
		assertThat(otherOwner.id()).isNotEqualTo(first.id());
		assertThat(otherKey.id()).isNotEqualTo(first.id());
		assertThat(new TaskRows(postgres).count()).isEqualTo(3);
	}

	@Test
	void uniqueKeyIsFreeAgainOnceTheTaskEnded() {
		this.registry.register(TaskDefinition.of("sync", (args) -> null));
		this.node.engine().start();
		TaskHandle<Object> first = this.node.client().send("sync", SendOptions.owner("a").uniqueKey("k"));
		await().atMost(Duration.ofSeconds(10)).until(() -> first.refresh().isReady());

		TaskHandle<Object> second = this.node.client().send("sync", SendOptions.owner("a").uniqueKey("k"));

		assertThat(second.id()).isNotEqualTo(first.id());
	}

	@Test
	void delayPerCallAndPriorityWithinTheQueue() {
		List<String> order = new CopyOnWriteArrayList<>();
		this.registry.register(TaskDefinition.of("log", (args) -> order.add((String) args[0]),
				new TaskParameter("what", String.class)));
		TaskHandle<Object> later = this.node.client().send("log", SendOptions.owner("a").delay(Duration.ofMillis(700)), "later");
		this.node.client().send("log", SendOptions.owner("a").priority(-5), "low");
		this.node.client().send("log", SendOptions.owner("a").priority(5), "high");
		this.node.client().send("log", SendOptions.owner("a"), "normal");

		this.node.rebuild((settings) -> settings.workers(1));
		this.node.engine().start();

		await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 4);
		assertThat(order).containsExactly("high", "normal", "low", "later");
		TaskInfo info = this.node.client().status(later.id(), "a").orElseThrow();
		assertThat(info.startedAt()).isAfterOrEqualTo(info.createdAt().plusMillis(700));
	}

	@Test
	void badOptionsAreRefusedNamingTheProblem() {
		assertThatIllegalArgumentException().isThrownBy(() -> SendOptions.owner("a").delay(Duration.ofSeconds(-1)))
			.withMessageContaining("Delay must be between 0 and 3650 days, got PT-1S");
		assertThatIllegalArgumentException().isThrownBy(() -> SendOptions.owner("a").delay(Duration.ofDays(100_000)))
			.withMessageContaining("Delay must be between");
		assertThatIllegalArgumentException().isThrownBy(() -> SendOptions.owner(" "))
			.withMessageContaining("Owner must be 1 to 200 characters");
		assertThatIllegalArgumentException().isThrownBy(() -> SendOptions.owner("a").priority(40_000))
			.withMessageContaining("Priority");
	}

	@Test
	void pendingTaskIsCancelledAtOnceAndNeverRuns() {
		AtomicInteger runs = new AtomicInteger();
		this.registry.register(TaskDefinition.of("later", (args) -> runs.incrementAndGet()));
		TaskHandle<Object> handle = this.node.client().send("later", SendOptions.owner("a").delay(Duration.ofMillis(500)));

		assertThat(this.node.client().cancel(handle.id(), "b")).as("another owner").isEmpty();
		assertThat(this.node.client().cancel(handle.id(), "a")).contains(TaskStatus.CANCELLED);
		assertThat(this.node.client().cancel(handle.id(), "a")).as("again").contains(TaskStatus.CANCELLED);
		this.node.engine().start();

		TaskInfo info = this.node.client().status(handle.id(), "a").orElseThrow();
		assertThat(info.status()).isEqualTo(TaskStatus.CANCELLED);
		assertThat(info.finishedAt()).isNotNull();
		assertThat(runs).hasValue(0);
	}

	@Test
	void runningTaskSeesTheCancellationThroughItsContextAndEndsCancelled() {
		CountDownLatch started = new CountDownLatch(1);
		this.registry.register(TaskDefinition.of("loop", (args) -> {
			TaskContext context = TaskContext.current().orElseThrow();
			started.countDown();
			int rounds = 0;
			while (!context.isCancellationRequested()) {
				rounds++;
				context.reportProgress(rounds, -1);
				this.release.await(20, java.util.concurrent.TimeUnit.MILLISECONDS);
			}
			return "stopped after " + rounds;
		}).withResultType(String.class));
		this.node.engine().start();
		TaskHandle<Object> handle = this.node.client().send("loop", "a");
		await().atMost(Duration.ofSeconds(10)).until(() -> started.getCount() == 0);

		// Asked to stop, it may end before cancel reads its status back: either answer is true.
		assertThat(this.node.client().cancel(handle.id(), "a"))
			.hasValueSatisfying((status) -> assertThat(status).isIn(TaskStatus.RUNNING, TaskStatus.CANCELLED));

		await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().isReady());
		assertThat(handle.status()).as("stopped because it was asked to").isEqualTo(TaskStatus.CANCELLED);
		assertThat(this.node.client().status(handle.id(), "a").orElseThrow().result()).startsWith("\"stopped after");
		assertThat(new TaskRows(postgres).column(handle.id(), "progress")).contains("\"done\"");
	}

	@Test
	void snoozeRunsTheTaskAgainLaterWithoutSpendingAnAttempt() {
		AtomicInteger runs = new AtomicInteger();
		this.registry.register(TaskDefinition.of("poll", (args) -> {
			if (runs.incrementAndGet() < 3) {
				throw TaskContext.current().orElseThrow().snooze(Duration.ofMillis(50));
			}
			return "ready";
		}).withRetries(0));
		this.node.engine().start();

		TaskHandle<Object> handle = this.node.client().send("poll", "a");

		await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().isReady());
		assertThat(handle.status()).isEqualTo(TaskStatus.SUCCESS);
		assertThat(runs).hasValue(3);
		assertThat(this.node.client().status(handle.id(), "a").orElseThrow().attempt()).isEqualTo(1);
	}

	@Test
	void exceptionListedInNoRetryForFailsAtOnce() {
		AtomicInteger runs = new AtomicInteger();
		this.registry.register(TaskDefinition.of("strict", (args) -> {
			runs.incrementAndGet();
			throw new UnsupportedOperationException("never works");
		}).withRetries(5).withNoRetryFor(List.of(UnsupportedOperationException.class)));
		this.node.engine().start();

		TaskHandle<Object> handle = this.node.client().send("strict", "a");

		await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().isReady());
		assertThat(handle.status()).isEqualTo(TaskStatus.FAILURE);
		assertThat(runs).hasValue(1);
		assertThat(handle.error().type()).isEqualTo(UnsupportedOperationException.class.getName());
		assertThat(handle.error().stackTrace()).isNotNull();
	}

	@Test
	void repeatContinuesTheTaskWithNewArgumentsAsOneChain() {
		this.registry.register(TaskDefinition.of("countdown", (args) -> {
			int n = (int) args[0];
			if (n > 0) {
				throw TaskContext.current().orElseThrow().repeat(n - 1);
			}
			return "lift-off";
		}, new TaskParameter("n", int.class)).withResultType(String.class));
		this.node.engine().start();

		TaskHandle<Object> first = this.node.client().send("countdown", "a", 3);

		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.node.client().chain(first.id(), "a").size() == 4
					&& this.node.client().chain(first.id(), "a").get(3).status().isCompleted());
		List<TaskInfo> chain = this.node.client().chain(first.id(), "a");
		assertThat(chain).extracting(TaskInfo::args).containsExactly("[3]", "[2]", "[1]", "[0]");
		assertThat(chain).extracting(TaskInfo::status).containsOnly(TaskStatus.SUCCESS);
		assertThat(chain.get(0).result()).isEqualTo("{\"continuedAs\": " + chain.get(1).id() + "}");
		assertThat(chain.get(3).result()).isEqualTo("\"lift-off\"");
		assertThat(this.node.client().chain(first.id(), "b")).as("another owner").isEmpty();
	}

	@Test
	void repeatWithArgumentsThatDoNotFitFailsTheTaskVisibly() {
		this.registry.register(TaskDefinition.of("bad", (args) -> {
			throw TaskContext.current().orElseThrow().repeat("not a number");
		}, new TaskParameter("n", int.class)));
		this.node.engine().start();

		TaskHandle<Object> handle = this.node.client().send("bad", "a", 1);

		await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().isReady());
		assertThat(handle.status()).isEqualTo(TaskStatus.FAILURE);
		assertThat(handle.error().message()).contains("repeated itself with arguments that do not fit").contains("'n'");
	}

	@Test
	void historyListsTheRunsOfOneTaskAndOwnerActiveFirstThenNewestFinished() {
		this.registry.register(TaskDefinition.of("echo", (args) -> args[0], new TaskParameter("text", String.class)));
		this.registry.register(TaskDefinition.of("other", (args) -> null));
		this.node.engine().start();
		TaskHandle<Object> first = this.node.client().send("echo", "a", "one");
		await().atMost(Duration.ofSeconds(10)).until(() -> first.refresh().isReady());
		TaskHandle<Object> second = this.node.client().send("echo", "a", "two");
		await().atMost(Duration.ofSeconds(10)).until(() -> second.refresh().isReady());
		TaskHandle<Object> pending = this.node.client().send("echo", SendOptions.owner("a").delay(Duration.ofHours(1)), "three");
		this.node.client().send("echo", "b", "not mine");
		this.node.client().send("other", "a");

		assertThat(this.node.client().history("echo", "a", 10)).extracting(TaskInfo::id)
			.containsExactly(pending.id(), second.id(), first.id());
		assertThat(this.node.client().history("echo", "a", 2)).extracting(TaskInfo::id).containsExactly(pending.id(), second.id());
		assertThat(this.node.client().history("echo", "a", 10).get(1).result()).isEqualTo("\"two\"");
		assertThat(this.node.client().history("echo", "c", 10)).isEmpty();
		assertThatIllegalArgumentException().isThrownBy(() -> this.node.client().history("nope", "a", 10))
			.withMessageContaining("No task is named 'nope'");
		assertThatIllegalArgumentException().isThrownBy(() -> this.node.client().history("echo", "a", 0))
			.withMessageContaining("History limit must be 1 to 1000, got 0");
	}

	@Test
	void startedByIsRecordedAndGivenToTheTask() {
		List<String> seen = new CopyOnWriteArrayList<>();
		this.registry.register(TaskDefinition.of("whoami", (args) -> {
			seen.add(String.valueOf(TaskContext.current().orElseThrow().startedBy()));
			return null;
		}));
		this.node.engine().start();
		TaskHandle<Object> asAlice = this.node.client().send("whoami", SendOptions.owner("a").startedBy("alice"));
		TaskHandle<Object> anonymous = this.node.client().send("whoami", "a");

		await().atMost(Duration.ofSeconds(10)).until(() -> asAlice.refresh().isReady() && anonymous.refresh().isReady());
		assertThat(seen).containsExactlyInAnyOrder("alice", "null");
		assertThat(this.node.client().status(asAlice.id(), "a").orElseThrow().startedBy()).isEqualTo("alice");
		assertThat(this.node.client().status(anonymous.id(), "a").orElseThrow().startedBy()).isNull();
		assertThatIllegalArgumentException().isThrownBy(() -> SendOptions.owner("a").startedBy(" "))
			.withMessageContaining("Started-by user must be 1 to 200 characters");
	}

}
