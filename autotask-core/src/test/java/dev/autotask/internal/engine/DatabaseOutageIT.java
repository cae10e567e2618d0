package dev.autotask.internal.engine;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariDataSource;
import dev.autotask.TaskHandle;
import dev.autotask.TaskInfo;
import dev.autotask.TaskStatus;
import dev.autotask.engine.Engine;
import dev.autotask.engine.EngineSettings;
import dev.autotask.internal.jdbc.TableNames;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.internal.supervisor.Supervisor;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskCounts;
import dev.autotask.testsupport.TcpProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * An engine that loses its database: every connection it has, its pool's and its
 * {@code LISTEN} connection, goes through a {@link TcpProxy} of the test's own, which the test
 * cuts for {@link #OUTAGE} ({@code -Dautotask.outage=PT10S}, the default; CI runs it as it is)
 * in the middle of a run of tasks and while a task's outcome is being written. Every task ends
 * with its true outcome, once; the engine says so in the log once, not per try, and does not
 * spin while the database is away.
 *
 * <p>
 * The engine's node is declared dead two heartbeat intervals after its last heartbeat, and a
 * dead node's running tasks are handed back to run again. The heartbeat interval here is
 * longer than half the outage, so that the node survives it and each task runs exactly once;
 * except where the test is that nodes whose heartbeats lapsed during the outage are not
 * declared dead when it ends.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DatabaseOutageIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	static final Duration OUTAGE = Duration.parse(System.getProperty("autotask.outage", "PT10S"));

	private static final String OWNER = "outage";

	// How long getConnection() waits for the pool before it fails: Hikari's default is 30 s.
	private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(2);

	private static final List<Class<?>> ENGINE_LOGGERS = List.of(Dispatcher.class, Notifier.class, TaskRunner.class,
			AttemptRunner.class, OutcomeWriter.class, Watchdog.class, Completer.class, BatchWriter.class,
			Supervisor.class, Engine.class);

	private final List<AutoCloseable> cleanUps = new ArrayList<>();

	private final Map<Integer, AtomicInteger> executions = new ConcurrentHashMap<>();

	private final CountDownLatch gate = new CountDownLatch(1);

	private final ListAppender<ILoggingEvent> log = new ListAppender<>();

	private TcpProxy proxy;

	private TaskRegistry registry;

	@BeforeEach
	void setUp() throws IOException {
		this.proxy = postgres.newProxy();
		this.cleanUps.add(this.proxy);
		this.registry = new TaskRegistry();
		this.registry.register(TaskDefinition.of("count", (args) -> {
			Thread.sleep(25);
			this.executions.computeIfAbsent((Integer) args[0], (n) -> new AtomicInteger()).incrementAndGet();
			return args[0];
		}, new TaskParameter("n", int.class)));
		this.registry.register(TaskDefinition.of("gate", (args) -> {
			this.gate.await();
			this.executions.computeIfAbsent(-1, (n) -> new AtomicInteger()).incrementAndGet();
			return "passed";
		}).withResultType(String.class));
		captureEngineLog();
	}

	@AfterEach
	void tearDown() throws Exception {
		this.gate.countDown();
		this.proxy.restore();
		for (int i = this.cleanUps.size() - 1; i >= 0; i--) {
			this.cleanUps.get(i).close();
		}
	}

	@Test
	void tasksRunWhileTheDatabaseIsAwayEndOnceWithTheirTrueOutcomeAndTheOutageIsLoggedOnce() {
		int tasks = 400;
		Engine engine = startEngine(Duration.ofSeconds(2));
		TaskClient direct = directClient();
		for (int n = 0; n < tasks; n++) {
			direct.send("count", OWNER, n);
		}
		TaskCounts counts = new TaskCounts(postgres);
		await().atMost(Duration.ofSeconds(30)).until(() -> counts.withStatus("SUCCESS") >= 50);

		int acceptedBefore = this.proxy.accepted();
		int logBefore = this.log.list.size();
		this.proxy.cut();
		await("the engine sees the outage").atMost(OUTAGE)
			.until(() -> logged(Notifier.class, Level.WARN, "Lost the LISTEN connection") == 1);
		// The outage lasts; the workers hold the outcomes of the tasks they were running.
		await("the outage").pollDelay(OUTAGE).atMost(OUTAGE.plusSeconds(1)).until(() -> true);
		int tries = this.proxy.accepted() - acceptedBefore;
		List<ILoggingEvent> outageLog = List.copyOf(this.log.list.subList(logBefore, this.log.list.size()));
		this.proxy.restore();

		await().atMost(Duration.ofSeconds(60)).until(() -> counts.withStatus("SUCCESS") == tasks);
		assertThat(counts.byStatus()).containsOnlyKeys("SUCCESS");
		assertEachRanOnceUnlessRescued(tasks);
		assertThat(engine.isRunning()).isTrue();

		// Logged once when it starts and once when it ends, per loop (and per held outcome),
		// whatever the outage's length. With every worker holding an outcome, the dispatcher
		// has no free slot to claim for, and may not notice the outage at all.
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(logged(Notifier.class, Level.INFO, "Listening on channel")).isOne());
		assertThat(logged(Notifier.class, Level.WARN, "Lost the LISTEN connection")).isOne();
		long held = logged(BatchWriter.class, Level.WARN, "Cannot record the outcome");
		assertThat(held).as("outcomes held during the outage").isBetween(1L, 4L);
		assertThat(logged(BatchWriter.class, Level.INFO, "Recorded the outcome")).isEqualTo(held);
		// A dispatcher that failed a claim says it claims again at its next try, which may still be
		// up to a back-off (the poll interval) away when the last outcome is recorded.
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(logged(Dispatcher.class, Level.INFO, "Claiming tasks again"))
				.isEqualTo(logged(Dispatcher.class, Level.WARN, "Cannot claim tasks")));
		assertThat(logged(Dispatcher.class, Level.WARN, "Cannot claim tasks")).isLessThanOrEqualTo(1);
		assertThat(outageLog).filteredOn((event) -> event.getLevel().isGreaterOrEqual(Level.WARN))
			.as("warnings during an outage of %s", OUTAGE)
			.hasSizeLessThanOrEqualTo(12);
		// No spinning: each loop backs off (the dispatcher up to the poll interval, the notifier
		// up to 30 s, a held outcome up to 5 s), so the tries are counted in tens, not thousands.
		long claimTries = countTries(outageLog, Dispatcher.class);
		assertThat(claimTries).as("claim tries during the outage").isLessThanOrEqualTo(20);
		assertThat(countTries(outageLog, Notifier.class)).as("LISTEN tries during the outage")
			.isBetween(2L, 20L);
		assertThat(tries).as("connections opened during the outage").isLessThan(200);
		System.out.printf("[autotask] outage of %s mid-run: %d claim tries, %d connection attempts, %d warnings%n",
				OUTAGE, claimTries, tries,
				outageLog.stream().filter((event) -> event.getLevel().isGreaterOrEqual(Level.WARN)).count());
	}

	@Test
	void outcomeWrittenWhileTheDatabaseIsAwayIsRecordedOnceItIsBack() {
		startEngine(Duration.ofSeconds(2));
		TaskHandle<Object> handle = directClient().send("gate", OWNER);
		await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().status() == TaskStatus.RUNNING);

		this.proxy.cut();
		this.gate.countDown();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> logged(BatchWriter.class, Level.WARN, "Cannot record the outcome of task " + handle.id()) == 1);
		// The task ended, but nothing can say so yet: it stays RUNNING on this node, with no
		// outcome made up for it.
		await().during(OUTAGE).atMost(OUTAGE.plusSeconds(5))
			.until(() -> handle.refresh().status() == TaskStatus.RUNNING);
		this.proxy.restore();

		await().atMost(Duration.ofSeconds(15)).until(() -> handle.refresh().status() == TaskStatus.SUCCESS);
		assertThat(handle.refresh().result()).isEqualTo("passed");
		TaskInfo info = directClient().status(handle.id(), OWNER).orElseThrow();
		assertThat(info.rescues()).isZero();
		assertThat(info.attempt()).isOne();
		assertThat(this.executions.get(-1)).hasValue(1);
		assertThat(logged(BatchWriter.class, Level.WARN, "Cannot record the outcome")).isOne();
		assertThat(logged(BatchWriter.class, Level.INFO, "Recorded the outcome of task " + handle.id())).isOne();
		// With a worker free, the dispatcher tried to claim, and said so once. Its next try may
		// still be up to a back-off (the poll interval) away when the outcome is recorded.
		await().atMost(Duration.ofSeconds(10))
			.until(() -> logged(Dispatcher.class, Level.INFO, "Claiming tasks again") > 0);
		assertThat(logged(Dispatcher.class, Level.WARN, "Cannot claim tasks")).isOne();
		assertThat(logged(Dispatcher.class, Level.INFO, "Claiming tasks again")).isOne();
		assertThat(logged(Dispatcher.class, Level.DEBUG, "Still cannot claim tasks")).isLessThan(20);
	}

	@Test
	void nodesThatLostTheDatabaseTogetherAreNotDeclaredDeadWhenItComesBack() {
		// Heartbeats every second, so that the outage lasts well past two of them: every node
		// looks dead when the database comes back, until it heartbeats again.
		EngineSettings quick = settings().toBuilder()
			.workers(1)
			.workerMonitorInterval(Duration.ofSeconds(1))
			.lease(Duration.ofMillis(1500))
			.pollInterval(Duration.ofSeconds(1))
			.build();
		startEngine(quick.toBuilder().nodeId("node-a").build());
		startEngine(quick.toBuilder().nodeId("node-b").build());
		TaskClient client = directClient();
		TaskHandle<Object> first = client.send("gate", OWNER);
		TaskHandle<Object> second = client.send("gate", OWNER);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> first.refresh().status() == TaskStatus.RUNNING && second.refresh().status() == TaskStatus.RUNNING);

		this.proxy.cut();
		this.gate.countDown();
		await("the outage").pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() -> true);
		this.proxy.restore();

		await().atMost(Duration.ofSeconds(20))
			.until(() -> first.refresh().status() == TaskStatus.SUCCESS && second.refresh().status() == TaskStatus.SUCCESS);
		assertThat(List.of(first, second)).allSatisfy((handle) -> assertThat(
				directClient().status(handle.id(), OWNER).orElseThrow().rescues())
			.as("rescues of task %d", handle.id())
			.isZero());
		assertThat(this.executions.get(-1)).hasValue(2);
	}

	@Test
	void enqueueWhileTheDatabaseIsAwayFailsAtOnceInTheCallerAndInsertsNothing() {
		HikariDataSource proxied = proxiedDataSource(2);
		TaskClient client = new TaskClient(proxied, this.registry, new TaskJson(), settings());
		client.send("count", OWNER, 1);

		this.proxy.cut();
		long started = System.nanoTime();
		// On the pooled connection the cut closed, then on the pool's wait for a new one.
		assertThatExceptionOfType(DataAccessResourceFailureException.class)
			.isThrownBy(() -> client.send("count", OWNER, 2));
		assertThatExceptionOfType(DataAccessResourceFailureException.class)
			.isThrownBy(() -> client.send("count", OWNER, 2))
			.withMessageContaining("Failed to obtain JDBC Connection");
		Duration took = Duration.ofNanos(System.nanoTime() - started);
		this.proxy.restore();

		assertThat(took).isLessThan(CONNECTION_TIMEOUT.multipliedBy(2).plusSeconds(3));
		assertThat(postgres.jdbc()
			.sql("SELECT (args->>0)::int FROM autotask_task WHERE name = 'count' ORDER BY id")
			.query(Integer.class)
			.list()).containsExactly(1);
		client.send("count", OWNER, 3);
		assertThat(new TaskCounts(postgres).withStatus("PENDING")).isEqualTo(2);
	}

	@Test
	void wakeUpsResumeAfterTheListenConnectionIsTerminated() {
		startEngine(Duration.ofMinutes(1));
		TaskClient client = directClient();
		int first = awaitListener(-1);
		JdbcClient jdbc = postgres.jdbc();

		assertThat(jdbc.sql("SELECT pg_terminate_backend(?)").param(first).query(Boolean.class).single()).isTrue();
		awaitListener(first);

		assertStartsWithinTwoSeconds(client.send("count", OWNER, 1));
		assertThat(logged(Notifier.class, Level.WARN, "Lost the LISTEN connection")).isOne();
	}

	@Test
	void wakeUpsResumeAfterTheDatabaseComesBack() {
		startEngine(Duration.ofMinutes(1));
		TaskClient client = directClient();
		int first = awaitListener(-1);

		this.proxy.cut();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> logged(Notifier.class, Level.WARN, "Lost the LISTEN connection") == 1);
		this.proxy.restore();
		awaitListener(first);

		// A poll interval of a minute: only a notification starts the task this soon.
		assertStartsWithinTwoSeconds(client.send("count", OWNER, 1));
	}

	private static long countTries(List<ILoggingEvent> log, Class<?> source) {
		return log.stream()
			.filter((event) -> event.getLoggerName().equals(source.getName()))
			.filter((event) -> event.getLevel() == Level.DEBUG || event.getLevel() == Level.WARN)
			.count();
	}

	private void assertStartsWithinTwoSeconds(TaskHandle<Object> handle) {
		await().atMost(Duration.ofSeconds(2)).until(() -> handle.refresh().status() == TaskStatus.SUCCESS);
	}

	/**
	 * Wait for the engine's LISTEN connection, on a backend other than {@code previous}.
	 * @return the backend's process id
	 */
	private int awaitListener(int previous) {
		String listen = "LISTEN \"" + new TableNames(postgres.schema()).channel() + "\"";
		JdbcClient jdbc = postgres.jdbc();
		AtomicInteger pid = new AtomicInteger(-1);
		await("a LISTEN connection other than " + previous).atMost(Duration.ofSeconds(15)).until(() -> {
			List<Integer> pids = jdbc.sql("SELECT pid FROM pg_stat_activity WHERE query = ? AND pid <> ?")
				.params(listen, previous)
				.query(Integer.class)
				.list();
			if (pids.size() == 1) {
				pid.set(pids.get(0));
				return true;
			}
			return false;
		});
		return pid.get();
	}

	private void assertEachRanOnceUnlessRescued(int tasks) {
		Map<Integer, Integer> rescues = new ConcurrentHashMap<>();
		postgres.jdbc()
			.sql("SELECT (args->>0)::int AS n, rescues FROM autotask_task WHERE name = 'count'")
			.query((rs, row) -> rescues.put(rs.getInt("n"), rs.getInt("rescues")))
			.list();
		assertThat(rescues).hasSize(tasks);
		rescues.forEach((n, rescued) -> {
			AtomicInteger ran = this.executions.get(n);
			assertThat(ran).as("runs of n = %d", n).isNotNull();
			if (rescued == 0) {
				assertThat(ran.get()).as("runs of n = %d, never rescued", n).isOne();
			}
		});
	}

	private Engine startEngine(Duration pollInterval) {
		return startEngine(settings().toBuilder()
			.nodeId("outage-node")
			.workers(4)
			.pollInterval(pollInterval)
			.workerMonitorInterval(OUTAGE.dividedBy(2).plusSeconds(5))
			.build());
	}

	private Engine startEngine(EngineSettings settings) {
		Engine engine = Engine.builder(proxiedDataSource(8), this.registry)
			.settings(settings.toBuilder().retryDelay(Duration.ofMillis(100)).shutdownTimeout(Duration.ofSeconds(2)).build())
			.build();
		engine.start();
		this.cleanUps.add(engine::stop);
		return engine;
	}

	private HikariDataSource proxiedDataSource(int poolSize) {
		HikariDataSource dataSource = postgres.newDataSource(poolSize, this.proxy, CONNECTION_TIMEOUT);
		this.cleanUps.add(dataSource);
		return dataSource;
	}

	private TaskClient directClient() {
		return new TaskClient(postgres.dataSource(), this.registry, new TaskJson(), settings());
	}

	private static EngineSettings settings() {
		return EngineSettings.builder().schema(postgres.schema()).build();
	}

	private long logged(Class<?> source, Level level, String text) {
		return List.copyOf(this.log.list)
			.stream()
			.filter((event) -> event.getLoggerName().equals(source.getName()) && event.getLevel() == level)
			.filter((event) -> event.getFormattedMessage().contains(text))
			.count();
	}

	/**
	 * Capture the engine's log, at DEBUG, where each failed try of a loop is logged.
	 */
	private void captureEngineLog() {
		this.log.start();
		for (Class<?> source : ENGINE_LOGGERS) {
			Logger logger = (Logger) LoggerFactory.getLogger(source);
			Level level = logger.getLevel();
			logger.setLevel(Level.DEBUG);
			logger.addAppender(this.log);
			this.cleanUps.add(0, () -> {
				logger.detachAppender(this.log);
				logger.setLevel(level);
			});
		}
	}

}
