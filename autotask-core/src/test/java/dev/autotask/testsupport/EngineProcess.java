package dev.autotask.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariDataSource;
import dev.autotask.TaskContext;
import dev.autotask.engine.Engine;
import dev.autotask.engine.EngineSettings;
import dev.autotask.internal.engine.TaskClient;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.schedule.Every;
import dev.autotask.schedule.Misfire;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskInvoker;
import dev.autotask.task.TaskParameter;
import dev.autotask.task.TaskRegistry;
import dev.autotask.task.TaskSchedule;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.awaitility.Awaitility.await;

/**
 * An engine in a JVM of its own on a test's database, so that a test can kill it with
 * SIGKILL in the middle of its tasks, as a crash or the kernel's OOM killer would: no
 * shutdown hook runs, nothing is handed back, no lead is resigned.
 *
 * <p>
 * {@link #start} launches {@link #main} on the test's own class path. The process runs one
 * task, {@value #WORK}, whose body records each run in the test's {@code work_log} table (see
 * {@link #createWorkLog}): a row when the run starts, its end time when the run ends. The test
 * so sees every run, including those whose outcome never reached the task table. The process
 * prints {@code READY <node id>} once its engine has started; its output is copied to
 * {@code <node id>-<n>.out} and {@code .err} in the log directory.
 *
 * <p>
 * It also runs {@value #HOG}, which allocates until the JVM throws {@link OutOfMemoryError}
 * (launch it with a small {@code -Xmx}), and, launched with {@link #TICKING}, the schedule
 * {@value #TICK}, every second, whose runs are recorded in {@code tick_log}.
 */
public final class EngineProcess implements AutoCloseable {

	/** The task the processes run; it takes one {@code int n}. */
	public static final String WORK = "work";

	/** A task that allocates until the heap is full; it takes no arguments. */
	public static final String HOG = "hog";

	/** A task fired every second on the queue {@value #TICK}, where the process runs {@link #TICKING}. */
	public static final String TICK = "tick";

	/** The JVM option that makes a process run the schedule {@value #TICK}. */
	public static final String TICKING = "-Dautotask.process.tick=true";

	/**
	 * The JVM option that makes a process run with the engine's default settings (lease,
	 * heartbeat, poll, workers and the rest), as an operator's would, rather than the quick ones
	 * of {@link #LEASE} and {@link #WORKER_MONITOR_INTERVAL}.
	 */
	public static final String DEFAULTS = "-Dautotask.process.defaults=true";

	/**
	 * The processes' leader lease; {@code -Dautotask.crash.lease=PT15S} measures with the default.
	 */
	public static final Duration LEASE = Duration.parse(System.getProperty("autotask.crash.lease", "PT2S"));

	/**
	 * The processes' heartbeat interval: a node is dead two intervals after its last heartbeat;
	 * {@code -Dautotask.crash.worker-monitor-interval=PT5S} measures with the default.
	 */
	public static final Duration WORKER_MONITOR_INTERVAL = Duration
		.parse(System.getProperty("autotask.crash.worker-monitor-interval", "PT0.5S"));

	/** How long one run of {@value #WORK} works, unless launched with {@link #workTime(Duration)}. */
	public static final Duration WORK_TIME = Duration.ofMillis(200);

	/** The exit status the JVM reports for a child killed by SIGKILL (128 + 9). */
	public static final int KILLED = 137;

	private static final String READY = "READY ";

	private static final AtomicInteger launches = new AtomicInteger();

	private final String nodeId;

	private final Process process;

	private final AtomicBoolean ready = new AtomicBoolean();

	private EngineProcess(String nodeId, Process process, Path out) {
		this.nodeId = nodeId;
		this.process = process;
		Thread reader = new Thread(() -> copyOutput(out), "engine-process-" + nodeId);
		reader.setDaemon(true);
		reader.start();
	}

	/**
	 * Launch an engine process on the schema of a test.
	 * @param postgres the test's database
	 * @param nodeId the node id of its engine
	 * @param logDirectory where its output goes
	 * @return the process, starting
	 * @throws IOException if it cannot be launched
	 */
	public static EngineProcess start(PostgresExtension postgres, String nodeId, Path logDirectory)
			throws IOException {
		return start(postgres, nodeId, logDirectory, List.of());
	}

	/**
	 * Launch an engine process on the schema of a test, with JVM options of its own.
	 * @param postgres the test's database
	 * @param nodeId the node id of its engine
	 * @param logDirectory where its output goes
	 * @param jvmOptions such as {@code -Xmx64m} or {@link #TICKING}
	 * @return the process, starting
	 * @throws IOException if it cannot be launched
	 */
	public static EngineProcess start(PostgresExtension postgres, String nodeId, Path logDirectory,
			List<String> jvmOptions) throws IOException {
		return start(postgres, postgres.jdbcUrl(), nodeId, logDirectory, jvmOptions);
	}

	/**
	 * Launch an engine process on the schema of a test, connected through a proxy that the
	 * test can cut.
	 * @param postgres the test's database
	 * @param proxy the proxy from {@link PostgresExtension#newProxy()}
	 * @param nodeId the node id of its engine
	 * @param logDirectory where its output goes
	 * @param jvmOptions such as {@link #DEFAULTS} or {@link #TICKING}
	 * @return the process, starting
	 * @throws IOException if it cannot be launched
	 */
	public static EngineProcess start(PostgresExtension postgres, TcpProxy proxy, String nodeId, Path logDirectory,
			List<String> jvmOptions) throws IOException {
		List<String> options = new ArrayList<>(jvmOptions);
		// The runs are recorded past the proxy: cutting the engine's database leaves the record whole.
		options.add("-Dautotask.process.log-url=" + postgres.jdbcUrl());
		return start(postgres, postgres.jdbcUrl(proxy), nodeId, logDirectory, options);
	}

	private static EngineProcess start(PostgresExtension postgres, String jdbcUrl, String nodeId, Path logDirectory,
			List<String> jvmOptions) throws IOException {
		Files.createDirectories(logDirectory);
		String name = nodeId + "-" + launches.incrementAndGet();
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current().info().command().orElseThrow());
		// C1 only: the process starts sooner, and its work is waiting, not computing.
		command.add("-XX:TieredStopAtLevel=1");
		command.add("-Dautotask.crash.lease=" + LEASE);
		command.add("-Dautotask.crash.worker-monitor-interval=" + WORKER_MONITOR_INTERVAL);
		command.addAll(jvmOptions);
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(EngineProcess.class.getName());
		command.addAll(List.of(jdbcUrl, postgres.username(), postgres.password(), postgres.schema(), nodeId));
		Process process = new ProcessBuilder(command)
			.redirectError(logDirectory.resolve(name + ".err").toFile())
			.start();
		return new EngineProcess(nodeId, process, logDirectory.resolve(name + ".out"));
	}

	/**
	 * A client that sends the processes' {@code work} tasks from the test's own JVM, which
	 * never runs them.
	 * @param postgres the test's database
	 * @return the client
	 */
	public static TaskClient client(PostgresExtension postgres) {
		TaskRegistry registry = new TaskRegistry();
		registry.register(work((args) -> {
			throw new IllegalStateException("'work' runs in the engine processes only");
		}));
		return new TaskClient(postgres.dataSource(), registry, new TaskJson(),
				EngineSettings.builder().schema(postgres.schema()).build());
	}

	/**
	 * Create the {@code work_log} table the processes record their runs in, or empty it.
	 * @param jdbc a client on the test's schema
	 */
	public static void createWorkLog(JdbcClient jdbc) {
		jdbc.sql("""
				CREATE TABLE IF NOT EXISTS work_log (
					id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
					n           integer     NOT NULL,
					node        text        NOT NULL,
					started_at  timestamptz NOT NULL,
					ended_at    timestamptz
				)""").update();
		jdbc.sql("""
				CREATE TABLE IF NOT EXISTS tick_log (
					task_id     bigint      NOT NULL,
					node        text        NOT NULL,
					started_at  timestamptz NOT NULL
				)""").update();
		jdbc.sql("TRUNCATE work_log, tick_log").update();
	}

	/**
	 * The definition of {@value #WORK}, for a registry that only sends it.
	 * @param invoker what runs it
	 * @return the definition
	 */
	public static TaskDefinition work(TaskInvoker invoker) {
		return TaskDefinition.of(WORK, invoker, new TaskParameter("n", int.class));
	}

	/**
	 * The JVM option that sets how long one run of {@value #WORK} works.
	 * @param workTime the time, {@link Duration#ZERO} for none
	 * @return the option
	 */
	public static String workTime(Duration workTime) {
		return "-Dautotask.process.work-time=" + workTime;
	}

	/**
	 * The JVM option that makes each run of {@value #WORK} work a random time between the one
	 * of {@link #workTime(Duration)} and this one.
	 * @param workTime the longest time
	 * @return the option
	 */
	public static String maxWorkTime(Duration workTime) {
		return "-Dautotask.process.max-work-time=" + workTime;
	}

	/**
	 * The JVM option that sets the engine's worker threads (4 unless set).
	 * @param workers the threads
	 * @return the option
	 */
	public static String workers(int workers) {
		return "-Dautotask.process.workers=" + workers;
	}

	/**
	 * The definition of {@value #HOG}, for a registry that only sends it.
	 * @param retries its retries
	 * @return the definition
	 */
	public static TaskDefinition hog(int retries) {
		return TaskDefinition.of(HOG, (args) -> {
			throw new IllegalStateException("'hog' runs in the engine processes only");
		}).withRetries(retries);
	}

	/**
	 * This process's node id.
	 * @return the id
	 */
	public String nodeId() {
		return this.nodeId;
	}

	/**
	 * Wait until the engine of this process has started.
	 * @param timeout the longest wait
	 */
	public void awaitReady(Duration timeout) {
		await("READY from " + this.nodeId).atMost(timeout)
			.failFast("process " + this.nodeId + " exited before it was ready", () -> !this.process.isAlive())
			.untilTrue(this.ready);
	}

	/**
	 * Kill the process with SIGKILL and wait until it is gone.
	 * @return its exit status: {@link #KILLED} unless it had already ended
	 * @throws InterruptedException if interrupted while waiting
	 */
	public int kill() throws InterruptedException {
		this.process.destroyForcibly();
		if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
			throw new IllegalStateException("Process " + this.nodeId + " still runs 10 s after SIGKILL");
		}
		return this.process.exitValue();
	}

	/**
	 * Whether the process still runs.
	 * @return whether it is alive
	 */
	public boolean isAlive() {
		return this.process.isAlive();
	}

	/**
	 * Kill the process if it still runs; never throws, so that it can end every test.
	 */
	@Override
	public void close() {
		this.process.destroyForcibly();
		try {
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void copyOutput(Path out) {
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8));
				PrintWriter writer = new PrintWriter(Files.newBufferedWriter(out), true)) {
			String line;
			while ((line = reader.readLine()) != null) {
				writer.println(line);
				if (line.equals(READY + this.nodeId)) {
					this.ready.set(true);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Run an engine until killed or stopped.
	 * @param args the JDBC URL, user, password, schema and node id
	 */
	public static void main(String[] args) {
		if (args.length != 5) {
			System.err.println("Usage: EngineProcess <jdbc-url> <user> <password> <schema> <node-id>");
			System.exit(2);
		}
		// Never outlive the test's JVM, even one killed before its @AfterEach could run.
		ProcessHandle.current().parent().ifPresent((parent) -> parent.onExit().thenRun(() -> System.exit(1)));
		String schema = args[3];
		String nodeId = args[4];
		HikariDataSource dataSource = PostgresExtension.pool(args[0], args[1], args[2], schema,
				PostgresExtension.SESSION_TIME_ZONE);
		String logUrl = System.getProperty("autotask.process.log-url");
		JdbcClient jdbc = JdbcClient.create((logUrl != null)
				? PostgresExtension.pool(logUrl, args[1], args[2], schema, PostgresExtension.SESSION_TIME_ZONE)
				: dataSource);
		String workTime = System.getProperty("autotask.process.work-time", WORK_TIME.toString());
		long workMillis = Duration.parse(workTime).toMillis();
		long maxWorkMillis = Math.max(workMillis,
				Duration.parse(System.getProperty("autotask.process.max-work-time", workTime)).toMillis());
		int workers = Integer.getInteger("autotask.process.workers", 4);
		TaskRegistry registry = new TaskRegistry();
		registry.register(work((taskArgs) -> {
			long run = jdbc
				.sql("INSERT INTO work_log (n, node, started_at) VALUES (?, ?, clock_timestamp()) RETURNING id")
				.params(taskArgs[0], nodeId)
				.query(Long.class)
				.single();
			// The work itself. Sleeping is the point: the test kills the process meanwhile.
			Thread.sleep(ThreadLocalRandom.current().nextLong(workMillis, maxWorkMillis + 1));
			jdbc.sql("UPDATE work_log SET ended_at = clock_timestamp() WHERE id = ?").param(run).update();
			return null;
		}));
		registry.register(TaskDefinition.of(HOG, (taskArgs) -> {
			// Kept reachable until the heap is full; unreachable again once the task has thrown.
			List<long[]> hoard = new ArrayList<>();
			while (true) {
				hoard.add(new long[128 * 1024]);
			}
		}));
		if (Boolean.getBoolean("autotask.process.tick")) {
			registry.register(TaskDefinition.of(TICK, (taskArgs) -> {
				jdbc.sql("INSERT INTO tick_log (task_id, node, started_at) VALUES (?, ?, clock_timestamp())")
					.params(TaskContext.current().orElseThrow().id(), nodeId)
					.update();
				return null;
			}).withQueue(TICK), new TaskSchedule(TICK, Every.of(Duration.ofSeconds(1)), true, Misfire.RUN_ONCE,
					"every 1s"));
		}
		EngineSettings settings = Boolean.getBoolean("autotask.process.defaults") ? EngineSettings.builder()
			.nodeId(nodeId)
			.schema(schema)
			.queueConcurrency(Map.of(TICK, 1))
			.build() : EngineSettings.builder()
			.nodeId(nodeId)
			.schema(schema)
			.workers(workers)
			.lease(LEASE)
			.workerMonitorInterval(WORKER_MONITOR_INTERVAL)
			// Also how often a node looks for the tasks it lost track of (a full heap can lose one).
			.cleanInterval(Duration.ofSeconds(2))
			.pollInterval(Duration.ofSeconds(1))
			.retryDelay(Duration.ofMillis(100))
			.shutdownTimeout(Duration.ofSeconds(2))
			.queueConcurrency(Map.of(TICK, 1))
			.build();
		Engine engine = Engine.builder(dataSource, registry).settings(settings).build();
		// Runs on SIGTERM, never on SIGKILL: the test's kill leaves everything as a crash would.
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			engine.stop();
			dataSource.close();
		}, "engine-process-stop"));
		engine.start();
		// The engine's threads keep the JVM alive after main returns.
		System.out.println(READY + nodeId);
	}

}
