package dev.autotask.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import com.zaxxer.hikari.HikariDataSource;
import dev.autotask.TaskError;
import dev.autotask.TaskFailure;
import dev.autotask.TaskHandle;
import dev.autotask.TaskInfo;
import dev.autotask.TaskStatus;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.EngineExtension;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * One engine on a real PostgreSQL: enqueue, claim, run, results, retries and failures.
 */
class EngineIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final String OWNER = "app-a";

	private final TaskRegistry registry = new TaskRegistry();

	private TaskRows rows;

	// A poll interval far longer than any wait below: only NOTIFY can start tasks promptly.
	@RegisterExtension
	final EngineExtension node = new EngineExtension(postgres, this.registry, (settings) -> settings.workers(4)
		.pollInterval(Duration.ofMinutes(1))
		.retryDelay(Duration.ofMillis(20)));

	@BeforeEach
	void setUp() {
		this.rows = new TaskRows(postgres);
	}

	@Test
	void runsTaskAndKeepsItsResult() {
		this.registry.register(TaskDefinition.of("greet", (args) -> TaskHandle.completed("hello " + args[0]),
				new TaskParameter("name", String.class)).withResultType(String.class));
		this.node.engine().start();

		TaskHandle<Object> handle = this.node.client().send("greet", OWNER, "Ada");

		assertThat(handle.status()).isEqualTo(TaskStatus.PENDING);
		await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().isReady());
		assertThat(handle.status()).isEqualTo(TaskStatus.SUCCESS);
		assertThat(handle.result()).isEqualTo("hello Ada");
		TaskInfo info = this.node.client().status(handle.id(), OWNER).orElseThrow();
		assertThat(info.result()).isEqualTo("\"hello Ada\"");
		assertThat(info.args()).isEqualTo("[\"Ada\"]");
		assertThat(info.attempt()).isEqualTo(1);
		assertThat(info.startedAt()).isNotNull();
		assertThat(info.finishedAt()).isAfterOrEqualTo(info.startedAt());
	}

	@Test
	void notificationStartsTaskOnIdleEngineWithoutWaitingForPoll() {
		AtomicReference<Instant> started = new AtomicReference<>();
		this.registry.register(TaskDefinition.of("mark", (args) -> {
			started.set(Instant.now());
			return null;
		}));
		this.node.engine().start();
		// Let the engine go idle: its dispatcher now sleeps for the one-minute poll interval.
		await().pollDelay(Duration.ofMillis(300)).until(() -> true);

		Instant sent = Instant.now();
		this.node.client().send("mark", OWNER);

		await().atMost(Duration.ofSeconds(5)).until(() -> started.get() != null);
		Duration lag = Duration.between(sent, started.get());
		System.out.println("[autotask] enqueue-to-start on an idle engine: " + lag.toMillis() + " ms");
		assertThat(lag).isLessThan(Duration.ofSeconds(2));
	}

	@Test
	void aStoppedEngineGivesBackNoConnectionStillListening() throws SQLException {
		this.registry.register(TaskDefinition.of("noop", (args) -> null));
		try (HikariDataSource pool = postgres.newDataSource(6)) {
			Engine engine = Engine.builder(pool, this.registry)
				.settings(this.node.engine().settings().toBuilder().workers(2).build())
				.build();
			engine.start();
			// Started within the one-minute poll interval: the engine was listening.
			TaskHandle<Object> handle = this.node.client().send("noop", OWNER);
			await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().isReady());
			engine.stop();

			// A session left listening is woken by every NOTIFY in the database, for good.
			List<Connection> connections = new ArrayList<>();
			try {
				for (int i = pool.getHikariPoolMXBean().getTotalConnections(); i > 0; i--) {
					connections.add(pool.getConnection());
				}
				for (Connection connection : connections) {
					assertThat(JdbcClient.create(new SingleConnectionDataSource(connection, true))
						.sql("SELECT count(*) FROM pg_listening_channels()")
						.query(Integer.class)
						.single()).isZero();
				}
			}
			finally {
				for (Connection connection : connections) {
					connection.close();
				}
			}
		}
	}

	@Test
	void aTaskLeftBehindTheClaimsOfABacklogRunsBeforeTheBacklogEnds() throws SQLException {
		this.registry.register(TaskDefinition.of("work", (args) -> {
			// A few milliseconds of work a task: the backlog takes seconds.
			LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
			return null;
		}));
		long behind = postgres.jdbc()
			.sql("""
					INSERT INTO autotask_task (name, owner, run_at, max_attempts, ttl)
					VALUES ('work', :owner, now() - interval '1 hour', 1, interval '1 day') RETURNING id""")
			.param("owner", OWNER)
			.query(Long.class)
			.single();
		postgres.jdbc().sql("""
				INSERT INTO autotask_task (name, owner, run_at, max_attempts, ttl)
				SELECT 'work', :owner, now() - interval '1 minute', 1, interval '1 day' FROM generate_series(1, 2000)""")
			.param("owner", OWNER)
			.update();
		try (Connection locking = postgres.dataSource().getConnection()) {
			// Locked, the first task due is skipped by the claims, which then go on after it.
			locking.setAutoCommit(false);
			JdbcClient.create(new SingleConnectionDataSource(locking, true))
				.sql("SELECT id FROM autotask_task WHERE id = ? FOR UPDATE")
				.param(behind)
				.query(Long.class)
				.single();
			this.node.rebuild((settings) -> settings.workers(2)).start();
			await().atMost(Duration.ofSeconds(30)).until(() -> ended() >= 200);
			locking.commit();
		}

		await().atMost(Duration.ofSeconds(30)).until(() -> "SUCCESS".equals(this.rows.column(behind, "status")));
		await().atMost(Duration.ofSeconds(60)).until(() -> ended() == 2001);
		long endedAfter = postgres.jdbc()
			.sql("SELECT count(*) FROM autotask_task WHERE finished_at > (SELECT finished_at FROM autotask_task WHERE id = ?)")
			.param(behind)
			.query(Long.class)
			.single();
		// Found by a claim from the front within a second, not once the backlog is done.
		assertThat(endedAfter).as("tasks of the backlog that ended after the one left behind").isGreaterThan(300);
	}

	private long ended() {
		return postgres.jdbc().sql("SELECT count(*) FROM autotask_task WHERE status = 'SUCCESS'").query(Long.class).single();
	}

	@Test
	void strayOfItsOwnNodeIsHandedBackAndRunWhileTheTaskItHoldsRunsOn() throws Exception {
		CountDownLatch finish = new CountDownLatch(1);
		this.registry.register(TaskDefinition.of("slow", (args) -> {
			finish.await();
			return null;
		}));
		this.registry.register(TaskDefinition.of("lost", (args) -> null));
		EngineSettings settings = this.node
			.rebuild((changes) -> changes.workerMonitorInterval(Duration.ofMillis(100)).cleanInterval(Duration.ofMillis(100)))
			.settings();
		this.node.engine().start();
		TaskHandle<Object> slow = this.node.client().send("slow", OWNER);
		await().atMost(Duration.ofSeconds(10)).until(() -> slow.refresh().status() == TaskStatus.RUNNING);

		// A task RUNNING on this node that it never had in hand, as when a claim's answer is lost.
		long lost = this.rows.aRunningTask("lost", settings.nodeId());
		// Both claimed as early as this node's start, so both pass the grace of two heartbeats soon:
		// only what the node holds tells them apart. (Earlier, they would be an earlier process's.)
		postgres.jdbc()
			.sql("UPDATE autotask_task SET started_at = (SELECT started_at FROM autotask_node WHERE id = ?)"
					+ " WHERE id IN (?, ?)")
			.params(settings.nodeId(), lost, slow.id())
			.update();

		await().atMost(Duration.ofSeconds(10)).until(() -> "SUCCESS".equals(this.rows.column(lost, "status")));
		assertThat(this.rows.column(lost, "rescues")).isEqualTo("1");
		assertThat(slow.refresh().status()).isEqualTo(TaskStatus.RUNNING);
		finish.countDown();
		await().atMost(Duration.ofSeconds(10)).until(() -> slow.refresh().isReady());
		assertThat(slow.status()).isEqualTo(TaskStatus.SUCCESS);
		assertThat(this.rows.column(slow.id(), "rescues")).isEqualTo("0");
	}

	@Test
	void retriesFailedAttemptsWithBackoffThenSucceeds() {
		AtomicInteger calls = new AtomicInteger();
		this.registry.register(TaskDefinition.of("flaky", (args) -> {
			if (calls.incrementAndGet() < 3) {
				throw new IllegalStateException("not yet");
			}
			return "third time";
		}).withRetries(3).withResultType(String.class));
		this.node.engine().start();

		TaskHandle<Object> handle = this.node.client().send("flaky", OWNER);

		await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().isReady());
		TaskInfo info = this.node.client().status(handle.id(), OWNER).orElseThrow();
		assertThat(info.status()).isEqualTo(TaskStatus.SUCCESS);
		assertThat(info.attempt()).isEqualTo(3);
		assertThat(info.result()).isEqualTo("\"third time\"");
		// The last failed attempt's error is kept for the record.
		assertThat(info.error().message()).isEqualTo("not yet");
	}

	@Test
	void failsAfterRetriesWithClassMessageAndStackTrace() {
		this.registry.register(TaskDefinition.of("broken", (args) -> {
			throw new IllegalStateException("boom");
		}).withRetries(2));
		this.node.engine().start();

		TaskHandle<Object> handle = this.node.client().send("broken", OWNER);

		await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().isReady());
		assertThat(handle.status()).isEqualTo(TaskStatus.FAILURE);
		TaskInfo info = this.node.client().status(handle.id(), OWNER).orElseThrow();
		assertThat(info.attempt()).isEqualTo(3);
		TaskError error = handle.error();
		assertThat(error.type()).isEqualTo(IllegalStateException.class.getName());
		assertThat(error.message()).isEqualTo("boom");
		assertThat(error.stackTrace()).contains("IllegalStateException: boom").contains("EngineIT");
		assertThat(handle.result()).isNull();
	}

	@Test
	void attemptWhoseFailureCannotBeDescribedIsStillRetriedThenFails() {
		AtomicInteger calls = new AtomicInteger();
		this.registry.register(TaskDefinition.of("unreadable", (args) -> {
			calls.incrementAndGet();
			// Reading its message throws: so does describing, or even logging, the failure.
			throw new RuntimeException() {

				@Override
				public String getMessage() {
					throw new IllegalStateException("no message here");
				}

			};
		}).withRetries(2));
		this.node.engine().start();

		TaskHandle<Object> handle = this.node.client().send("unreadable", OWNER);

		await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().isReady());
		assertThat(handle.status()).isEqualTo(TaskStatus.FAILURE);
		// Every attempt was spent, as for any failure: the first lost outcome did not end the task.
		assertThat(calls).hasValue(3);
		assertThat(this.node.client().status(handle.id(), OWNER).orElseThrow().attempt()).isEqualTo(3);
		assertThat(handle.error().type()).isEqualTo(IllegalStateException.class.getName());
		assertThat(handle.error().message()).isEqualTo("The attempt ended, but its outcome could not be recorded: no message here");
	}

	@Test
	void taskFailureFailsAtOnceWithItsMessageAsResult() {
		AtomicInteger calls = new AtomicInteger();
		this.registry.register(TaskDefinition.of("fatal", (args) -> {
			calls.incrementAndGet();
			throw new TaskFailure("customer 42 has no billing address");
		}).withRetries(5));
		this.node.engine().start();

		TaskHandle<Object> handle = this.node.client().send("fatal", OWNER);

		await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().isReady());
		TaskInfo info = this.node.client().status(handle.id(), OWNER).orElseThrow();
		assertThat(info.status()).isEqualTo(TaskStatus.FAILURE);
		assertThat(info.attempt()).isEqualTo(1);
		assertThat(calls).hasValue(1);
		assertThat(info.result()).isEqualTo("\"customer 42 has no billing address\"");
		assertThat(info.error().type()).isEqualTo(TaskFailure.class.getName());
		assertThat(info.error().stackTrace()).isNull();
	}

	@Test
	void taskIsVisibleOnlyToItsOwner() {
		this.registry.register(TaskDefinition.of("noop", (args) -> null));
		TaskHandle<Object> handle = this.node.client().send("noop", OWNER);

		assertThat(this.node.client().status(handle.id(), OWNER)).isPresent();
		assertThat(this.node.client().status(handle.id(), "app-b")).isEmpty();
		assertThat(this.node.client().status(handle.id() + 1000, OWNER)).isEmpty();
	}

	@Test
	void rowWhoseArgumentsNoLongerFitEndsAsFailureNotStuck() {
		this.registry.register(TaskDefinition.of("count", (args) -> args[0], new TaskParameter("n", long.class)));
		long id = this.rows.aPendingTask("count", OWNER, "[\"forty-two\"]");
		this.node.engine().start();

		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.node.client().status(id, OWNER).orElseThrow().status().isCompleted());
		TaskInfo info = this.node.client().status(id, OWNER).orElseThrow();
		assertThat(info.status()).isEqualTo(TaskStatus.FAILURE);
		assertThat(info.error().message()).contains("no longer fit").contains("'n'").contains("long");
	}

	@Test
	void resultThatCannotBeWrittenAsJsonFailsTheTaskVisibly() {
		this.registry.register(TaskDefinition.of("opaque", (args) -> new Object()).withRetries(3));
		this.node.engine().start();

		TaskHandle<Object> handle = this.node.client().send("opaque", OWNER);

		await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().isReady());
		assertThat(handle.status()).isEqualTo(TaskStatus.FAILURE);
		assertThat(handle.error().message()).contains("Result of task 'opaque'").contains("cannot be written as JSON");
	}

	@Test
	void argumentsThatCannotBeWrittenAsJsonFailInCallerAndInsertNothing() {
		this.registry.register(TaskDefinition.of("take", (args) -> null, new TaskParameter("thing", Object.class)));

		assertThatIllegalArgumentException().isThrownBy(() -> this.node.client().send("take", OWNER, new Object()))
			.withMessageContaining("Argument 'thing' of task 'take' cannot be written as JSON");
		assertThat(this.rows.count()).isZero();
	}

	@Test
	void nanOrInfinityFailsAtSendNamingTheArgumentAndInsertsNothing() {
		this.registry.register(TaskDefinition.of("weigh", (args) -> null, new TaskParameter("grams", double.class),
				new TaskParameter("samples", List.class)));

		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.node.client().send("weigh", OWNER, Double.POSITIVE_INFINITY, List.of()))
			.withMessageStartingWith("Argument 'grams' of task 'weigh' does not fit double");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.node.client().send("weigh", OWNER, 1.0, List.of(2.0, Double.NaN)))
			.withMessageStartingWith("Argument 'samples' of task 'weigh'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.node.client().sendJson("weigh", OWNER, "{\"grams\": 1e400, \"samples\": []}"))
			.withMessageStartingWith("Argument 'grams' of task 'weigh' does not fit double");
		assertThat(this.rows.count()).isZero();
	}

	@Test
	void unknownTaskNameFailsAtSendNamingIt() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.node.client().send("no.such.task", OWNER))
			.withMessageContaining("'no.such.task'");
		assertThat(this.rows.count()).isZero();
	}

	@Test
	void wrongArgumentCountFailsAtSend() {
		this.registry.register(TaskDefinition.of("pair", (args) -> null, new TaskParameter("a", int.class),
				new TaskParameter("b", int.class)));

		assertThatIllegalArgumentException().isThrownBy(() -> this.node.client().send("pair", OWNER, 1))
			.withMessageContaining("takes 2 argument(s)")
			.withMessageContaining("got 1");
		assertThat(this.rows.count()).isZero();
	}

	@Test
	void argumentsOfWrongTypeFailAtSendNamingTheParameter() {
		this.registry.register(TaskDefinition.of("pair", (args) -> null, new TaskParameter("a", int.class),
				new TaskParameter("b", int.class)));

		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.node.client().sendJson("pair", OWNER, "{\"a\": 1, \"b\": \"two\"}"))
			.withMessageContaining("'b'");
		assertThatIllegalArgumentException().isThrownBy(() -> this.node.client().sendJson("pair", OWNER, "[1, 2"))
			.withMessageContaining("not valid JSON");
		assertThat(this.rows.count()).isZero();
	}

	@Test
	void delayedTaskDoesNotStartBeforeItsTime() {
		this.registry.register(TaskDefinition.of("later", (args) -> null).withDelay(Duration.ofMillis(800)));
		this.node.engine().start();

		TaskHandle<Object> handle = this.node.client().send("later", OWNER);

		await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().isReady());
		TaskInfo info = this.node.client().status(handle.id(), OWNER).orElseThrow();
		assertThat(info.status()).isEqualTo(TaskStatus.SUCCESS);
		assertThat(info.runAt()).isAfterOrEqualTo(info.createdAt().plusMillis(800));
		assertThat(info.startedAt()).isAfterOrEqualTo(info.runAt());
	}

	@Test
	void nulCharactersNeverLeaveATaskStuck() {
		this.registry.register(TaskDefinition.of("nulError", (args) -> {
			throw new IllegalStateException("bad byte \u0000 in input");
		}).withRetries(0));
		this.registry.register(TaskDefinition.of("nulResult", (args) -> "a\u0000b").withResultType(String.class));
		this.registry.register(TaskDefinition.of("nulArg", (args) -> null, new TaskParameter("text", String.class)));
		this.node.engine().start();

		TaskHandle<Object> error = this.node.client().send("nulError", OWNER);
		TaskHandle<Object> result = this.node.client().send("nulResult", OWNER);

		await().atMost(Duration.ofSeconds(10)).until(() -> error.refresh().isReady() && result.refresh().isReady());
		assertThat(error.status()).isEqualTo(TaskStatus.FAILURE);
		assertThat(error.error().message()).isEqualTo("bad byte \uFFFD in input");
		assertThat(result.status()).isEqualTo(TaskStatus.FAILURE);
		assertThat(result.error().message()).contains("NUL character");
		long before = this.rows.count();
		assertThatIllegalArgumentException().isThrownBy(() -> this.node.client().send("nulArg", OWNER, "a\u0000b"))
			.withMessageContaining("Arguments of task 'nulArg' cannot be stored")
			.withMessageContaining("NUL");
		assertThat(this.rows.count()).isEqualTo(before);
	}

	@Test
	void valuesThatWouldChangeOnTheWayBackAreRefusedAtSend() {
		this.registry.register(TaskDefinition.of("resize", (args) -> null, new TaskParameter("percent", int.class)));
		this.registry.register(TaskDefinition.of("label", (args) -> null, new TaskParameter("text", String.class)));

		assertThatIllegalArgumentException().isThrownBy(() -> this.node.client().send("resize", OWNER, 2.5))
			.withMessageContaining("'percent'");
		assertThatIllegalArgumentException().isThrownBy(() -> this.node.client().send("resize", OWNER, "7"))
			.withMessageContaining("'percent'");
		assertThatIllegalArgumentException().isThrownBy(() -> this.node.client().send("label", OWNER, 42))
			.withMessageContaining("'text'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.node.client().sendJson("resize", OWNER, "{\"percent\": 1, \"percent\": 2}"))
			.withMessageContaining("not valid JSON");
		assertThat(this.rows.count()).isZero();
	}

	@Test
	void withEventsOnEachEndWritesItsEventToTheOutbox() {
		this.node.rebuild((settings) -> settings.events(true));
		this.registry.register(TaskDefinition.of("fine", (args) -> "ok").withResultType(String.class));
		this.registry.register(TaskDefinition.of("fatal", (args) -> {
			throw new TaskFailure("no");
		}));
		this.node.engine().start();

		TaskHandle<Object> fine = this.node.client().send("fine", OWNER);
		TaskHandle<Object> fatal = this.node.client().send("fatal", OWNER);

		await().atMost(Duration.ofSeconds(10)).until(() -> fine.refresh().isReady() && fatal.refresh().isReady());
		assertThat(postgres.jdbc()
			.sql("SELECT task_id || ' ' || name || ' ' || owner || ' ' || outcome || ' ' || coalesce(result::text, '-')"
					+ " FROM autotask_outbox_event ORDER BY task_id")
			.query(String.class)
			.list()).containsExactly(fine.id() + " fine app-a SUCCESS \"ok\"",
					fatal.id() + " fatal app-a FAILURE \"no\"");
	}

}
