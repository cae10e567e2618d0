package dev.autotask.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariDataSource;
import dev.autotask.TaskContext;
import dev.autotask.internal.engine.TaskClient;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.schedule.Every;
import dev.autotask.schedule.Misfire;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
import dev.autotask.task.TaskRegistry;
import dev.autotask.task.TaskSchedule;
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
 * Every engine stops, with tasks pending, tasks running (blocked past the shutdown timeout)
 * and a schedule firing every second, then starts again as new engines, one under its old node
 * id and one under a new id: the pending tasks run, the running ones run again (handed back by
 * a graceful stop, rescued after a SIGKILL), and the schedule goes on without firing any time
 * twice.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RestartIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final String OWNER = "restart";

	private static final int BLOCKED = 4;

	private static final int PENDING = 40;

	private final List<Engine> engines = new ArrayList<>();

	private final List<HikariDataSource> dataSources = new ArrayList<>();

	private final List<EngineProcess> processes = new ArrayList<>();

	// Runs that reached their end, by n; runs of tick, by task id.
	private final Map<Integer, AtomicInteger> ended = new ConcurrentHashMap<>();

	private final Map<Long, AtomicInteger> ticks = new ConcurrentHashMap<>();

	private final CountDownLatch firstLife = new CountDownLatch(1);

	private volatile boolean restarted;

	@AfterEach
	void tearDown() {
		this.firstLife.countDown();
		this.engines.forEach(Engine::stop);
		this.dataSources.forEach(HikariDataSource::close);
		this.processes.forEach(EngineProcess::close);
	}

	@Test
	void gracefulStopOfEveryEngineHandsBackAndNewEnginesRunEverythingOnceWithoutADoubledFire() {
		startEngine("node-a");
		startEngine("node-b");
		TaskClient client = new TaskClient(postgres.dataSource(), registry(), new TaskJson(), settings());
		for (int n = 0; n < BLOCKED; n++) {
			client.send("block", OWNER, n);
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> running("block") == BLOCKED);
		for (int n = BLOCKED; n < BLOCKED + PENDING; n++) {
			client.send("block", OWNER, n);
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> ticksEnded() >= 2);

		// The blocked tasks outlive the shutdown timeout: interrupted and handed back.
		this.engines.forEach(Engine::stop);
		this.engines.clear();
		JdbcClient jdbc = postgres.jdbc();
		assertThat(new TaskCounts(postgres).withStatus("RUNNING")).isZero();
		assertThat(jdbc.sql("SELECT count(*) FROM autotask_task WHERE name = 'block' AND status = 'PENDING' AND rescues = 1")
			.query(Long.class)
			.single()).as("handed back").isEqualTo(BLOCKED);
		long ticksBefore = ticksEnded();

		this.restarted = true;
		startEngine("node-a");
		startEngine("node-c");
		await().atMost(Duration.ofSeconds(30))
			.until(() -> succeeded("block") == BLOCKED + PENDING && ticksEnded() >= ticksBefore + 3);

		assertThat(this.ended).hasSize(BLOCKED + PENDING)
			.allSatisfy((n, runs) -> assertThat(runs).as("runs of n = %d that reached their end", n).hasValue(1));
		// A hand-back grants the attempt it took: a task without retries still ran to its end.
		assertThat(jdbc.sql("""
				SELECT count(*) FROM autotask_task WHERE name = 'block'
				AND attempt = 1 + rescues AND max_attempts = 1 + rescues""").query(Long.class).single())
			.isEqualTo(BLOCKED + PENDING);
		assertNoFireTwice();
		assertThat(this.ticks).allSatisfy((id, runs) -> assertThat(runs).as("runs of tick %d", id).hasValue(1));
	}

	@Test
	void killedEngineRestartedUnderItsIdAndANewOneRunEverythingAndTheScheduleGoesOnWithoutADoubledFire()
			throws Exception {
		JdbcClient jdbc = postgres.jdbc();
		EngineProcess.createWorkLog(jdbc);
		TaskRegistry registry = new TaskRegistry();
		registry.register(EngineProcess.work((args) -> null));
		TaskClient client = new TaskClient(postgres.dataSource(), registry, new TaskJson(), settings());
		Path logs = Path.of("target", "restart");
		EngineProcess first = startProcess("node-a", logs);
		for (int n = 0; n < 60; n++) {
			client.send(EngineProcess.WORK, OWNER, n);
		}
		await().atMost(Duration.ofSeconds(30))
			.until(() -> running(EngineProcess.WORK) >= 2 && count("SELECT count(*) FROM tick_log") >= 2);

		assertThat(first.kill()).isEqualTo(EngineProcess.KILLED);
		long ticksBefore = count("SELECT count(*) FROM tick_log");
		startProcess("node-a", logs);
		startProcess("node-b", logs);

		TaskCounts counts = new TaskCounts(postgres);
		await().atMost(Duration.ofSeconds(60))
			.until(() -> counts.withStatus("SUCCESS") >= 60 + ticksBefore + 3 && running(EngineProcess.WORK) == 0
					&& count("SELECT count(*) FROM autotask_task WHERE name = 'work' AND status = 'SUCCESS'") == 60);

		assertThat(counts.withStatus("FAILURE", "CANCELLED")).isZero();
		// Each n ran once, or, if the kill caught it claimed, perhaps once more after its rescue.
		assertThat(jdbc.sql("""
				SELECT t.id, t.rescues, count(w.id) AS runs FROM autotask_task t
				LEFT JOIN work_log w ON w.n = (t.args->>0)::int
				WHERE t.name = 'work' GROUP BY t.id HAVING count(w.id) NOT BETWEEN 1 AND 1 + t.rescues""")
			.query()
			.listOfRows()).as("tasks that did not run, or ran more often than their rescues allow")
			.isEmpty();
		assertNoFireTwice();
		assertThat(jdbc.sql("""
				SELECT t.id FROM autotask_task t JOIN tick_log l ON l.task_id = t.id
				WHERE t.name = 'tick' GROUP BY t.id HAVING count(*) > 1 + t.rescues""").query(Long.class).list())
			.as("ticks run more often than their rescues allow")
			.isEmpty();
	}

	private void assertNoFireTwice() {
		JdbcClient jdbc = postgres.jdbc();
		assertThat(jdbc.sql("SELECT run_at FROM autotask_task WHERE name = 'tick' GROUP BY run_at HAVING count(*) > 1")
			.query(Object.class)
			.list()).as("fire times enqueued more than once").isEmpty();
		assertThat(count("SELECT count(*) FROM autotask_task WHERE name = 'tick'"))
			.isEqualTo(count("SELECT count(*) FROM autotask_fire WHERE task_id IS NOT NULL"));
	}

	private TaskRegistry registry() {
		TaskRegistry registry = new TaskRegistry();
		registry.register(TaskDefinition.of("block", (args) -> {
			int n = (Integer) args[0];
			if (!this.restarted) {
				// Blocked until the shutdown interrupts it.
				this.firstLife.await();
			}
			this.ended.computeIfAbsent(n, (key) -> new AtomicInteger()).incrementAndGet();
			return null;
		}, new TaskParameter("n", int.class)).withRetries(0));
		registry.register(TaskDefinition.of("tick", (args) -> {
			long id = TaskContext.current().orElseThrow().id();
			this.ticks.computeIfAbsent(id, (key) -> new AtomicInteger()).incrementAndGet();
			return null;
		}).withQueue("tick"), new TaskSchedule("tick", Every.of(Duration.ofSeconds(1)), true, Misfire.RUN_ONCE,
				"every 1s"));
		return registry;
	}

	private void startEngine(String node) {
		HikariDataSource dataSource = postgres.newDataSource(8);
		this.dataSources.add(dataSource);
		Engine engine = Engine.builder(dataSource, registry()).settings(settings().toBuilder()
					.nodeId(node)
					.workers(2)
					.queueConcurrency(Map.of("tick", 1))
					.pollInterval(Duration.ofSeconds(1))
					.shutdownTimeout(Duration.ofMillis(300))
					.build()).build();
		this.engines.add(engine);
		engine.start();
	}

	private EngineProcess startProcess(String node, Path logs) throws IOException {
		EngineProcess process = EngineProcess.start(postgres, node, logs, List.of(EngineProcess.TICKING));
		this.processes.add(process);
		process.awaitReady(Duration.ofSeconds(30));
		return process;
	}

	private long ticksEnded() {
		return count("SELECT count(*) FROM autotask_task WHERE name = 'tick' AND status = 'SUCCESS'");
	}

	private long running(String name) {
		return postgres.jdbc()
			.sql("SELECT count(*) FROM autotask_task WHERE name = ? AND status = 'RUNNING'")
			.param(name)
			.query(Long.class)
			.single();
	}

	private long succeeded(String name) {
		return postgres.jdbc()
			.sql("SELECT count(*) FROM autotask_task WHERE name = ? AND status = 'SUCCESS'")
			.param(name)
			.query(Long.class)
			.single();
	}

	private static long count(String sql) {
		return postgres.jdbc().sql(sql).query(Long.class).single();
	}

	private static EngineSettings settings() {
		return EngineSettings.builder().schema(postgres.schema()).build();
	}

}
