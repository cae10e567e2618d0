package dev.autotask.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import com.zaxxer.hikari.HikariDataSource;
import dev.autotask.Autotask;
import dev.autotask.SendOptions;
import dev.autotask.engine.Engine;
import dev.autotask.engine.EngineSettings;
import dev.autotask.task.TaskRegistry;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What a task costs this machine in each part of the soak's steady state, each part measured
 * alone on the soak's server, and the rate at which the machine would be busy with all of them:
 * the most any soak here can hold, whatever the engine does.
 * <p>
 * The parts, run one after another over the same tasks: the producer's enqueue (its
 * {@code sendAll} of one tick's tasks), the engine's run of them (claims, ends, events relayed),
 * the leader's prune of them (an engine's own, pruning every tenth of a second with nothing else
 * to do) and a {@code VACUUM} of what those left dead (autovacuum does the same work in the soak, throttled). Autovacuum is
 * off for these tables meanwhile, so that its work lands in the vacuum part and not in another.
 * A part's cost is the machine's busy CPU time while it ran (all cores, from
 * {@code /proc/stat}: the server's processes, this JVM and anything else), divided by the tasks.
 */
final class SoakBudget {

	private static final Duration IDLE = Duration.ofSeconds(2);

	private static final Duration PRUNE_INTERVAL = Duration.ofMillis(100);

	private final Database database;

	private final BenchOptions options;

	SoakBudget(Database database, BenchOptions options) {
		this.database = database;
		this.options = options;
	}

	/**
	 * Measure each part over {@code tasks} tasks, enqueued in the batches a producer at
	 * {@code rate} sends.
	 */
	Budget measure(int tasks, double rate) throws InterruptedException {
		String schema = this.database.createSchema("budget");
		LongAdder ended = new LongAdder();
		TaskRegistry registry = Soak.countedNoop(ended);
		// Every task has expired by the prune; no prune runs before it (the first of the
		// engine's own, at its start, finds nothing ended).
		EngineSettings settings = Soak.engineSettings(schema, this.options.workers())
			.resultTtl(Duration.ofMillis(1))
			.cleanInterval(Duration.ofHours(1))
			.build();
		try (HikariDataSource engineData = this.database.pool(schema, this.options.workers() + 4, "budget-engine");
				HikariDataSource clientData = this.database.pool(schema, 2, "budget-client")) {
			AutotaskSubject.migrate(engineData, schema);
			for (String table : List.of("autotask_task", "autotask_outbox")) {
				this.database.execute("ALTER TABLE %s.%s SET (autovacuum_enabled = false)".formatted(schema, table));
			}
			Part idle = Part.measure("idle", 0, () -> {
				Thread.sleep(IDLE.toMillis());
				return 0;
			});
			int batch = Math.max(1, (int) Math.round(rate * SoakProducer.TICK.toNanos() / 1e9));
			Autotask client = Engine.builder(clientData, registry).settings(settings).buildClient();
			Part enqueue = Part.measure("enqueue (sendAll of %,d)".formatted(batch), tasks,
					() -> enqueue(client, tasks, batch));
			Part run = Part.measure("run (claim, end, relay events)", tasks, () -> run(engineData, registry, settings,
					ended, tasks));
			requireEnded(engineData, tasks);
			Part prune = Part.measure("prune (an engine's start, then its pruner)", tasks,
					() -> prune(engineData, registry, settings, tasks));
			Part vacuum = Part.measure("vacuum (task table and outbox, unthrottled)", tasks, () -> {
				this.database.execute("VACUUM %s.autotask_task, %s.autotask_outbox".formatted(schema, schema));
				return tasks;
			});
			return new Budget(idle, List.of(enqueue, run, prune, vacuum));
		}
		finally {
			this.database.dropSchema(schema);
		}
	}

	private static long enqueue(Autotask client, int tasks, int batch) {
		for (int sent = 0; sent < tasks; sent += batch) {
			int size = Math.min(batch, tasks - sent);
			client.sendAll(Soak.NOOP, SendOptions.owner(Soak.OWNER), Collections.nCopies(size, new Object[0]));
		}
		return tasks;
	}

	private static long run(HikariDataSource engineData, TaskRegistry registry, EngineSettings settings, LongAdder ended,
			int tasks) {
		Engine engine = Engine.builder(engineData, registry).settings(settings).sinks(List.of((events) -> {
		})).build();
		engine.start();
		try {
			Awaiting.until(() -> ended.sum() >= tasks, "the budget's tasks to run");
			Awaiting.until(() -> count(engineData, "SELECT (SELECT count(*) FROM autotask_task WHERE finished_at IS NULL)"
					+ " + (SELECT count(*) FROM autotask_outbox)") == 0, "the budget's outcomes and events");
			return tasks;
		}
		finally {
			engine.stop();
		}
	}

	// An engine with nothing to run but expired tasks to prune, its leader pruning every tenth of
	// a second, until only the runs the history keeps are left: its start is counted too. It is
	// looked at every PRUNE_INTERVAL, through the index the pruner reads, so that the looks cost
	// little next to the prune.
	private static long prune(HikariDataSource engineData, TaskRegistry registry, EngineSettings settings,
			int tasks) {
		Engine engine = Engine.builder(engineData, registry)
			.settings(settings.toBuilder().cleanInterval(PRUNE_INTERVAL).build())
			.build();
		String left = "SELECT count(*) FROM (SELECT 1 FROM autotask_task WHERE expires_at IS NOT NULL LIMIT %d) AS expired"
			.formatted(settings.historyPerTask() + 1);
		engine.start();
		try {
			long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
			while (count(engineData, left) > settings.historyPerTask()) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("The budget's tasks were not pruned within 5 minutes");
				}
				LockSupport.parkNanos(PRUNE_INTERVAL.toNanos());
			}
			return tasks;
		}
		finally {
			engine.stop();
		}
	}

	private static long count(HikariDataSource data, String sql) {
		return JdbcClient.create(data).sql(sql).query(Long.class).single();
	}

	private static void requireEnded(HikariDataSource data, int tasks) {
		long ended = count(data, "SELECT count(*) FROM autotask_task WHERE status = 'SUCCESS'");
		if (ended != tasks) {
			throw new IllegalStateException("The budget's run ended " + ended + " of its " + tasks
					+ " tasks, or some were pruned before the prune part: its figures would not add up");
		}
	}

	/**
	 * One part: how many tasks, the wall time it took, and the machine's busy CPU time
	 * meanwhile.
	 */
	record Part(String name, long tasks, double wallSeconds, double busySeconds) {

		interface Work {

			long run() throws InterruptedException;

		}

		static Part measure(String name, long tasks, Work work) throws InterruptedException {
			long[] before = ServerSampler.machineTicks();
			long start = System.nanoTime();
			work.run();
			double wall = (System.nanoTime() - start) / 1e9;
			long[] after = ServerSampler.machineTicks();
			double busyShare = (double) (after[0] - before[0]) / Math.max(1, after[1] - before[1]);
			Part part = new Part(name, tasks, wall, busyShare * wall * cores());
			Benchmark.log("soak budget: %s: %.2f s, machine %.0f%% busy", name, wall, 100 * busyShare);
			return part;
		}

		double microsPerTask() {
			return 1e6 * this.busySeconds / this.tasks;
		}

		double busyShare() {
			return this.busySeconds / (this.wallSeconds * cores());
		}

	}

	/**
	 * The parts, and the machine's busy share while it idled before them (the server at rest,
	 * and whatever else runs here).
	 */
	record Budget(Part idle, List<Part> parts) {

		/** The rate at which all parts together keep every core busy. */
		double ceiling() {
			double micros = this.parts.stream().mapToDouble(Part::microsPerTask).sum();
			return cores() * 1e6 / micros;
		}

		/**
		 * The budget's lines, with the ceiling as a share of the drain rate where one was
		 * measured ({@code drainRate} 0 where not).
		 */
		List<String> render(double drainRate, double soakRate) {
			List<String> lines = new ArrayList<>();
			long tasks = this.parts.get(0).tasks();
			lines.add(String.format(Locale.ROOT, "Soak budget: the machine's busy CPU time per task (%d cores; the server,"
					+ " this JVM and all else), each part alone over %,d tasks on this server:", cores(), tasks));
			for (Part part : this.parts) {
				lines.add(String.format(Locale.ROOT, "- %-46s %6.1f µs a task (%.2f s, %,.0f tasks/s, machine %.0f%% busy)",
						part.name() + ":", part.microsPerTask(), part.wallSeconds(), tasks / part.wallSeconds(),
						100 * part.busyShare()));
			}
			double micros = this.parts.stream().mapToDouble(Part::microsPerTask).sum();
			String all = String.format(Locale.ROOT, "- all four: %.1f µs a task: the machine is busy with all of them at"
					+ " %,.0f tasks/s; the soak enqueues %,.0f tasks/s", micros, ceiling(), soakRate);
			if (drainRate > 0) {
				all += String.format(Locale.ROOT, " (%.0f%% and %.0f%% of the drain rate)", 100 * ceiling() / drainRate,
						100 * soakRate / drainRate);
			}
			lines.add(all);
			lines.add(String.format(Locale.ROOT, "- idle before them: machine %.0f%% busy", 100 * this.idle.busyShare()));
			return lines;
		}

	}

	private static int cores() {
		return Runtime.getRuntime().availableProcessors();
	}

}
