package dev.autotask.internal.engine;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariDataSource;
import dev.autotask.TaskHandle;
import dev.autotask.TaskStatus;
import dev.autotask.engine.Engine;
import dev.autotask.engine.EngineSettings;
import dev.autotask.engine.Notifications;
import dev.autotask.engine.TaskObserver;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.schedule.Every;
import dev.autotask.schedule.Misfire;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
import dev.autotask.task.TaskRegistry;
import dev.autotask.task.TaskSchedule;
import dev.autotask.testsupport.PgBouncer;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Engines whose DataSource goes through a real PgBouncer in transaction pooling mode, with more
 * client connections than server connections, so that consecutive transactions of one client
 * run in different sessions: enqueue, claim, completion, a schedule and the lead all work
 * through it, with {@code LISTEN} on a direct connection or with polling only.
 */
class PgBouncerIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final String OWNER = "app";

	// Far longer than any wait below: a prompt start can only come from a notification.
	private static final Duration LONG_POLL = Duration.ofMinutes(10);

	private static PgBouncer pgBouncer;

	private final TaskRegistry registry = new TaskRegistry();

	private final AtomicReference<Instant> marked = new AtomicReference<>();

	private final AtomicInteger ticks = new AtomicInteger();

	private final List<Engine> engines = new ArrayList<>();

	private final ListAppender<ILoggingEvent> log = new ListAppender<>();

	private HikariDataSource pooled;

	@BeforeAll
	static void startPgBouncer() throws IOException {
		// Two server connections for the six of the engines' pool and the client's.
		pgBouncer = PgBouncer.start(postgres, 2);
	}

	@AfterAll
	static void stopPgBouncer() {
		pgBouncer.close();
	}

	@BeforeEach
	void setUp() {
		this.log.start();
		((Logger) LoggerFactory.getLogger(Node.class)).addAppender(this.log);
		Logger notifier = (Logger) LoggerFactory.getLogger(Notifier.class);
		notifier.addAppender(this.log);
		notifier.setLevel(Level.DEBUG);
		this.pooled = pgBouncer.newDataSource(pgBouncer.jdbcUrl(), 6);
		this.registry.register(TaskDefinition.of("mark", (args) -> {
			this.marked.set(Instant.now());
			return null;
		}));
		this.registry.register(TaskDefinition.of("square", (args) -> TaskHandle.completed((int) args[0] * (int) args[0]),
				new TaskParameter("n", int.class)).withResultType(Integer.class));
		this.registry.register(TaskDefinition.of("tick", (args) -> {
			this.ticks.incrementAndGet();
			return null;
		}), new TaskSchedule("tick", Every.of(Duration.ofSeconds(1)), true, Misfire.RUN_ONCE, "every 1s"));
	}

	@AfterEach
	void tearDown() {
		this.engines.forEach(Engine::stop);
		this.pooled.close();
		((Logger) LoggerFactory.getLogger(Node.class)).detachAppender(this.log);
		Logger notifier = (Logger) LoggerFactory.getLogger(Notifier.class);
		notifier.detachAppender(this.log);
		notifier.setLevel(null);
	}

	@Test
	void listenOnDirectConnectionWakesEnginesWhoseStatementsGoThroughPgBouncer() {
		EngineSettings settings = settings(LONG_POLL);
		Engine first = start(settings.toBuilder().nodeId("first").build(), direct());
		Engine second = start(settings.toBuilder().nodeId("second").build(), direct());
		TaskClient client = new TaskClient(this.pooled, this.registry, new TaskJson(), settings);
		assertThat(logged(Node.class, Level.INFO)).anySatisfy((line) -> assertThat(line).startsWith("autotask engine first started")
			.endsWith("LISTEN on " + postgres.jdbcUrl() + " (a direct connection), and a poll every 10m in case a"
					+ " notification is missed"));
		// The pool's URL turns server-side prepared statements off.
		assertThat(logged(Node.class, Level.WARN)).isEmpty();
		// Each engine's LISTEN session is its own: it hears the probe it sent itself.
		await().atMost(Notifier.PROBE_TIMEOUT)
			.until(() -> logged(Notifier.class, Level.DEBUG).stream().filter((line) -> line.contains("heard its probe")).count() == 2);

		await().atMost(Duration.ofSeconds(10)).until(() -> first.isLeader() || second.isLeader());
		assertThat(first.isLeader() && second.isLeader()).isFalse();
		awaitWakeUpByNotification(client);
		runsManyTasks(client);
		int ticked = this.ticks.get();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.ticks.get() >= ticked + 2);

		// The leader resigns on stop and notifies: the other takes over long before the lease
		// (15s) would have run out.
		Engine leader = first.isLeader() ? first : second;
		Engine follower = (leader == first) ? second : first;
		Instant resigned = Instant.now();
		leader.stop();
		await().atMost(Duration.ofSeconds(5)).until(follower::isLeader);
		System.out.println("[autotask] lead taken over through PgBouncer in "
				+ Duration.between(resigned, Instant.now()).toMillis() + " ms");
		int tickedAfter = this.ticks.get();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.ticks.get() >= tickedAfter + 2);
	}

	@Test
	void pollOnlyRunsTasksSchedulesAndTheLeadThroughPgBouncer() {
		EngineSettings settings = settings(Duration.ofMillis(200)).toBuilder().lease(Duration.ofSeconds(2)).build();
		Engine first = start(settings.toBuilder().nodeId("first").build(), Notifications.pollOnly());
		Engine second = start(settings.toBuilder().nodeId("second").build(), Notifications.pollOnly());
		TaskClient client = new TaskClient(this.pooled, this.registry, new TaskJson(), settings);
		assertThat(logged(Node.class, Level.INFO)).anySatisfy((line) -> assertThat(line).startsWith("autotask engine first started")
			.endsWith("poll-only every 0.2s: no LISTEN, so a new task waits up to that long"));

		await().atMost(Duration.ofSeconds(10)).until(() -> first.isLeader() || second.isLeader());
		runsManyTasks(client);
		TaskHandle<Object> marking = client.send("mark", OWNER);
		await().atMost(Duration.ofSeconds(5)).until(() -> marking.refresh().status() == TaskStatus.SUCCESS);
		int ticked = this.ticks.get();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.ticks.get() >= ticked + 2);

		Engine leader = first.isLeader() ? first : second;
		Engine follower = (leader == first) ? second : first;
		leader.stop();
		// No notification: the follower takes over when it next tries, within about a lease.
		await().atMost(Duration.ofSeconds(10)).until(follower::isLeader);
		int tickedAfter = this.ticks.get();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.ticks.get() >= tickedAfter + 2);
	}

	@Test
	void listenThroughPgBouncerInTransactionModeHearsNothingAndSaysSo() {
		// What the direct connection is for: the session that listened is handed to other clients.
		start(settings(LONG_POLL), Notifications.engineDataSource());
		TaskClient client = new TaskClient(this.pooled, this.registry, new TaskJson(), settings(LONG_POLL));
		awaitIdle();

		client.send("mark", OWNER);

		await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> this.marked.get() == null);
		// And the engine says so, naming the two ways out.
		await().atMost(Notifier.PROBE_TIMEOUT.plusSeconds(2))
			.until(() -> logged(Notifier.class, Level.WARN).stream()
				.anyMatch((line) -> line.contains("did not hear its own probe") && line.contains("autotask.listen.url")
						&& line.contains("autotask.listen.enabled=false")));
		assertThat(logged(Notifier.class, Level.DEBUG)).noneMatch((line) -> line.contains("heard its probe"));
		// The pool's URL turns server-side prepared statements off: nothing to say of them.
		assertThat(logged(Notifier.class, Level.WARN)).noneMatch((line) -> line.contains("prepareThreshold"));
	}

	@Test
	void listenThroughPgBouncerAlsoWarnsOfServerSidePreparedStatements() {
		this.pooled.close();
		this.pooled = pgBouncer.newDataSource(pgBouncer.jdbcUrl().replace("prepareThreshold=0", "prepareThreshold=5"),
				2);

		start(settings(LONG_POLL), Notifications.engineDataSource());

		await().atMost(Notifier.PROBE_TIMEOUT.plusSeconds(2))
			.until(() -> logged(Notifier.class, Level.WARN).stream()
				.anyMatch((line) -> line.contains("did not hear its own probe")
						&& line.contains("add prepareThreshold=0 to its JDBC URL")));
	}

	@Test
	void directListenWarnsOfServerSidePreparedStatementsOfThePool() {
		// pgjdbc's default: statements run five times on a connection are prepared on the server.
		this.pooled.close();
		this.pooled = pgBouncer.newDataSource(pgBouncer.jdbcUrl().replace("prepareThreshold=0", "prepareThreshold=5"),
				2);

		start(settings(LONG_POLL), direct());

		assertThat(logged(Node.class, Level.WARN)).singleElement()
			.asString()
			.contains("prepare statements on the server after 5 executions")
			.contains("add prepareThreshold=0 to the DataSource's JDBC URL");
	}

	private List<String> logged(Class<?> source, Level level) {
		return List.copyOf(this.log.list)
			.stream()
			.filter((event) -> event.getLoggerName().equals(source.getName()) && event.getLevel() == level)
			.map(ILoggingEvent::getFormattedMessage)
			.toList();
	}

	private EngineSettings settings(Duration pollInterval) {
		return EngineSettings.builder()
			.schema(postgres.schema())
			.workers(4)
			.pollInterval(pollInterval)
			.workerMonitorInterval(Duration.ofMillis(500))
			.build();
	}

	private Engine start(EngineSettings settings, Notifications notifications) {
		Engine engine = Engine.builder(this.pooled, this.registry)
			.settings(settings)
			.sinks(List.of())
			.observer(TaskObserver.NONE)
			.notifications(notifications)
			.build();
		this.engines.add(engine);
		engine.start();
		return engine;
	}

	private static Notifications direct() {
		return Notifications.direct(new DriverManagerDataSource(postgres.jdbcUrl(), postgres.username(),
				postgres.password()), postgres.jdbcUrl());
	}

	private void awaitWakeUpByNotification(TaskClient client) {
		awaitIdle();
		Instant sent = Instant.now();
		client.send("mark", OWNER);
		await().atMost(Duration.ofSeconds(5)).until(() -> this.marked.get() != null);
		Duration lag = Duration.between(sent, this.marked.get());
		System.out.println("[autotask] enqueue-to-start through PgBouncer, LISTEN direct: " + lag.toMillis() + " ms");
		assertThat(lag).isLessThan(Duration.ofSeconds(2));
	}

	private void awaitIdle() {
		// The dispatchers, having found nothing, now sleep for the poll interval.
		await().pollDelay(Duration.ofMillis(500)).until(() -> true);
	}

	// Many more statements per pooled connection than pgjdbc's prepareThreshold (5), each of
	// which may land on any of PgBouncer's server connections.
	private void runsManyTasks(TaskClient client) {
		List<TaskHandle<Object>> handles = new ArrayList<>();
		for (int n = 0; n < 60; n++) {
			handles.add(client.send("square", OWNER, n));
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> handles.stream().allMatch((handle) -> handle.refresh().isReady()));
		for (int n = 0; n < handles.size(); n++) {
			assertThat(handles.get(n).refresh().result()).isEqualTo(n * n);
		}
	}

}
