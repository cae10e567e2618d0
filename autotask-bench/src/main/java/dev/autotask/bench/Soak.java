package dev.autotask.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import com.zaxxer.hikari.HikariDataSource;
import dev.autotask.Autotask;
import dev.autotask.engine.Engine;
import dev.autotask.engine.EngineSettings;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;

/**
 * The soak (issue 17): on a server with autovacuum on, first the drain rate (the bench's own
 * autotask subject, warmed up) and the {@link SoakBudget} of the machine's time per task, then a
 * steady enqueue at a share of it for a long while, on an
 * engine as the starter runs it (events on) but with a short result TTL, so that the leader
 * prunes all along. Every interval it records a {@link SoakRow}; at the end it prints the
 * timeline, the verdicts and a PNG of throughput and table size.
 */
final class Soak {

	static final String NOOP = "noop";

	static final String OWNER = "bench";

	private static final long SECOND = Duration.ofSeconds(1).toNanos();

	private static final Path SELF = Path.of("/proc/self/stat");

	private static final double MIB = 1024.0 * 1024.0;

	private static final long PAUSE = Duration.ofMillis(100).toNanos();

	private final BenchOptions options;

	private final SoakOptions soak;

	private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

	Soak(BenchOptions options) {
		this.options = options;
		this.soak = options.soak();
	}

	void run() throws InterruptedException {
		try (SoakServer server = SoakServer.start(this.soak.jdbcUrl(), this.options.user())) {
			System.out.println("Soak: " + this.soak);
			server.describe().forEach(System.out::println);
			double rate = this.soak.rate();
			double drain = 0;
			if (rate <= 0) {
				drain = drainRate(server.database());
				rate = this.soak.load() * drain;
				System.out.printf(Locale.ROOT, "Drain rate on this server: %,.0f tasks/s (median of %d drains of %,d);"
						+ " the producer enqueues %.0f%% of it: %,.0f tasks/s%n", drain, this.options.runs(),
						this.options.drain(), this.soak.load() * 100, rate);
			}
			if (this.soak.budget() > 0) {
				new SoakBudget(server.database(), this.options).measure(this.soak.budget(), rate)
					.render(drain, rate)
					.forEach(System.out::println);
			}
			SoakTimeline timeline = soak(server.database(), rate);
			System.out.println();
			System.out.printf(Locale.ROOT, "Soak timeline (%s, %,.0f tasks/s enqueued, result TTL %s, pruned every %s,"
					+ " %d workers):%n", this.soak.duration(), rate, this.soak.resultTtl(), this.soak.cleanInterval(),
					this.options.workers());
			System.out.println(timeline.render());
			System.out.println("Soak verdicts (sizes and heap judged from " + this.soak.settled()
					+ ", the TTL and two prunes):");
			timeline.verdicts(this.soak.settled()).forEach(System.out::println);
			try {
				new SoakPlot(timeline.rows(), this.soak.settled()).write(this.soak.plot());
				System.out.println("Soak plot: " + this.soak.plot().toAbsolutePath());
			}
			catch (IOException ex) {
				System.out.println("Could not write the soak plot: " + ex);
			}
		}
	}

	/**
	 * The bench's autotask subject on this server: drains for the warm-up time, then the median
	 * of {@code --runs} drains of {@code --drain} tasks.
	 */
	private double drainRate(Database database) throws InterruptedException {
		try (AutotaskSubject subject = new AutotaskSubject(database, this.options.workers())) {
			long warmUpEnd = System.nanoTime() + this.options.warmUpTime().toNanos();
			do {
				subject.clear();
				subject.preload(this.options.drain());
				subject.drain(this.options.drain());
			}
			while (System.nanoTime() < warmUpEnd);
			double[] rates = new double[this.options.runs()];
			for (int run = 0; run < rates.length; run++) {
				subject.clear();
				subject.preload(this.options.drain());
				database.execute("CHECKPOINT");
				rates[run] = this.options.drain() / (subject.drain(this.options.drain()).toNanos() / 1e9);
				Benchmark.log("soak: drain run %d: %,.0f tasks/s", run + 1, rates[run]);
			}
			return Stats.summary(rates).median();
		}
	}

	private SoakTimeline soak(Database database, double rate) throws InterruptedException {
		String schema = database.createSchema("soak");
		LongAdder ended = new LongAdder();
		TaskRegistry registry = countedNoop(ended);
		EngineSettings settings = engineSettings(schema, this.options.workers())
			.resultTtl(this.soak.resultTtl())
			.cleanInterval(this.soak.cleanInterval())
			.build();
		try (HikariDataSource engineData = database.pool(schema, this.options.workers() + 4, "autotask-engine");
				HikariDataSource clientData = database.pool(schema, 2, "autotask-client");
				Connection stats = DriverManager.getConnection(database.url(), database.user(), null)) {
			AutotaskSubject.migrate(engineData, schema);
			Autotask client = Engine.builder(clientData, registry).settings(settings).buildClient();
			Engine engine = Engine.builder(engineData, registry).settings(settings).sinks(List.of((events) -> {
			})).build();
			engine.start();
			try (SoakProducer producer = new SoakProducer(client, NOOP, OWNER, rate)) {
				SoakTimeline timeline = record(producer, ended, stats, schema + ".autotask_task",
						schema + ".autotask_outbox");
				Benchmark.log("soak: autotask_task's indexes at the end: %s",
						indexSizes(stats, schema + ".autotask_task"));
				return timeline;
			}
			finally {
				engine.stop();
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
		finally {
			database.dropSchema(schema);
		}
	}

	/**
	 * The soak's one task, a no-op that counts its runs.
	 */
	static TaskRegistry countedNoop(LongAdder ended) {
		TaskRegistry registry = new TaskRegistry();
		registry.register(TaskDefinition.of(NOOP, (args) -> {
			ended.increment();
			return null;
		}));
		return registry;
	}

	/**
	 * An engine as the starter runs it, events on, in a schema of its own.
	 */
	static EngineSettings.Builder engineSettings(String schema, int workers) {
		return EngineSettings.builder().schema(schema).workers(workers).events(true);
	}

	private SoakTimeline record(SoakProducer producer, LongAdder ended, Connection stats, String table,
			String outbox) throws SQLException {
		SoakTimeline timeline = new SoakTimeline();
		long start = System.nanoTime();
		long end = start + this.soak.duration().toNanos();
		long interval = this.soak.interval().toNanos();
		long rowStart = start;
		long nextSecond = start + SECOND;
		long enqueuedBefore = 0;
		long endedBefore = 0;
		long deletedBefore = 0;
		long[] writesBefore = writes(stats);
		long[] machineBefore = ServerSampler.machineTicks();
		long jvmBefore = ServerSampler.ticks(SELF);
		long heapMin = Long.MAX_VALUE;
		while (true) {
			long now = System.nanoTime();
			heapMin = Math.min(heapMin, this.memory.getHeapMemoryUsage().getUsed());
			while (now >= nextSecond && nextSecond <= end) {
				timeline.second(ended.sum());
				nextSecond += SECOND;
			}
			if (now >= Math.min(rowStart + interval, end)) {
				long enqueued = producer.sent();
				long endedNow = ended.sum();
				System.gc();
				long heapAfterGc = this.memory.getHeapMemoryUsage().getUsed();
				long[] sizes = sizes(stats, table, outbox);
				long[] writes = writes(stats);
				long[] machine = ServerSampler.machineTicks();
				long jvm = ServerSampler.ticks(SELF);
				long total = Math.max(1, machine[1] - machineBefore[1]);
				double busy = 100.0 * (machine[0] - machineBefore[0]) / total;
				double jvmCpu = 100.0 * (jvm - jvmBefore) * Runtime.getRuntime().availableProcessors() / total;
				SoakRow row = new SoakRow(Duration.ofNanos(now - start), Duration.ofNanos(now - rowStart),
						enqueued - enqueuedBefore, endedNow - endedBefore, sizes[6] - deletedBefore, enqueued - endedNow,
						producer.behind(), sizes[0], sizes[1], sizes[2], sizes[3], sizes[4], sizes[5],
						writes[0] - writesBefore[0], writes[1] - writesBefore[1], writes[2] - writesBefore[2],
						Math.min(heapMin, heapAfterGc), heapAfterGc, busy, jvmCpu, Benchmark.loadAverage());
				timeline.add(row);
				Benchmark.log("soak %s: %,.0f enqueued/s, %,.0f ended/s, %,.0f pruned/s, backlog %,d, table %.1f MiB,"
						+ " indexes %.1f MiB, dead rows %,d, WAL %.1f MiB/s, checkpoints %d (%d requested),"
						+ " heap after GC %.1f MiB, CPU %.0f%% busy", row.end(), row.enqueueRate(), row.throughput(),
						row.pruneRate(), row.backlog(), row.tableBytes() / MIB, row.indexBytes() / MIB, row.deadTuples(),
						row.walRate() / MIB, row.checkpoints(), row.requestedCheckpoints(), heapAfterGc / MIB, busy);
				enqueuedBefore = enqueued;
				endedBefore = endedNow;
				deletedBefore = sizes[6];
				writesBefore = writes;
				machineBefore = machine;
				jvmBefore = jvm;
				rowStart = now;
				heapMin = Long.MAX_VALUE;
				if (now >= end) {
					return timeline;
				}
			}
			RuntimeException failure = producer.failure();
			if (failure != null) {
				// What was recorded until then is still worth printing.
				Benchmark.log("FAILED soak: the producer stopped at %s: %s", Duration.ofNanos(now - start), failure);
				failure.printStackTrace();
				return timeline;
			}
			LockSupport.parkNanos(PAUSE);
		}
	}

	/**
	 * Each index of a table and its size, largest first: which of them a steady state fills.
	 */
	private static String indexSizes(Connection stats, String table) throws SQLException {
		String sql = """
				SELECT class.relname, pg_relation_size(class.oid) FROM pg_index AS index
				JOIN pg_class AS class ON class.oid = index.indexrelid
				WHERE index.indrelid = '%s'::regclass
				ORDER BY 2 DESC""".formatted(table);
		List<String> sizes = new ArrayList<>();
		try (Statement statement = stats.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
			while (rows.next()) {
				sizes.add(String.format(Locale.ROOT, "%s %.1f MiB", rows.getString(1), rows.getLong(2) / MIB));
			}
		}
		return String.join(", ", sizes);
	}

	/**
	 * The WAL written since the server's start, the checkpoints it began, and of them those that
	 * the WAL's volume asked for ({@code max_wal_size}) rather than {@code checkpoint_timeout}.
	 * PostgreSQL 17 moved the checkpoints' counts from {@code pg_stat_bgwriter} to
	 * {@code pg_stat_checkpointer}.
	 */
	private static long[] writes(Connection stats) throws SQLException {
		String counts = (stats.getMetaData().getDatabaseMajorVersion() >= 17)
				? "SELECT num_timed + num_requested, num_requested FROM pg_stat_checkpointer"
				: "SELECT checkpoints_timed + checkpoints_req, checkpoints_req FROM pg_stat_bgwriter";
		String sql = "SELECT pg_current_wal_lsn() - '0/0', counts.* FROM (" + counts + ") AS counts";
		try (Statement statement = stats.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
			rows.next();
			return new long[] { rows.getLong(1), rows.getLong(2), rows.getLong(3) };
		}
	}

	/**
	 * The task table's size, its indexes', the outbox's, then the table's live and dead rows,
	 * autovacuum runs and deleted rows so far. Nothing here reads the table itself, so a table
	 * grown large costs the measurement nothing.
	 */
	private static long[] sizes(Connection stats, String table, String outbox) throws SQLException {
		String sql = """
				SELECT pg_table_size('%1$s'), pg_indexes_size('%1$s'), pg_total_relation_size('%2$s'),
					stat.n_live_tup, stat.n_dead_tup, stat.autovacuum_count, stat.n_tup_del
				FROM pg_stat_user_tables AS stat WHERE stat.relid = '%1$s'::regclass""".formatted(table, outbox);
		try (Statement statement = stats.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
			rows.next();
			long[] sizes = new long[7];
			for (int i = 0; i < sizes.length; i++) {
				sizes[i] = rows.getLong(i + 1);
			}
			return sizes;
		}
	}

}
