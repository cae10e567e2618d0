package dev.autotask.bench;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import dev.autotask.bench.ResultTable.Unit;

/**
 * Runs every measurement on every subject, {@code runs} times each, and prints one table.
 * Measurements are interleaved: run 1 of every subject, then run 2, and so on, so that a drift of
 * the server (a checkpoint, autovacuum) does not land on one library alone.
 *
 * <pre class="code">
 * java -jar autotask-bench/target/autotask-bench-0.1.0-SNAPSHOT.jar [--with-1m] [--runs=3] [--drain=20000] ...
 * </pre>
 */
public final class Benchmark {

	static final String LATENCY_P50 = "latency p50";

	static final String LATENCY_P95 = "latency p95";

	static final String LATENCY_P99 = "latency p99";

	static final String LATENCY_P50_FROM_COMMIT = "latency p50 from commit";

	static final String NOTIFY_P50 = "bare NOTIFY round trip p50";

	static final String ENQUEUE_ONE = "enqueue one by one";

	private final BenchOptions options;

	private final Database database;

	private final List<Subject> subjects;

	private final ResultTable table;

	private final List<String> failures = new ArrayList<>();

	private Benchmark(BenchOptions options, Database database, List<Subject> subjects) {
		this.options = options;
		this.database = database;
		this.subjects = subjects;
		this.table = new ResultTable(subjects.stream().map(Subject::name).toList());
	}

	public static void main(String[] args) throws Exception {
		if (args.length > 0 && "node".equals(args[0])) {
			BenchNode.main(Arrays.copyOfRange(args, 1, args.length));
			return;
		}
		BenchOptions options;
		try {
			options = BenchOptions.parse(args);
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.exit(2);
			return;
		}
		Database database = new Database(options.jdbcUrl(), options.user());
		List<Subject> subjects = options.needsSubjects() ? open(database, options) : List.of();
		Thread cleanup = new Thread(() -> subjects.forEach(Benchmark::closeQuietly), "bench-cleanup");
		Runtime.getRuntime().addShutdownHook(cleanup);
		Benchmark benchmark = new Benchmark(options, database, subjects);
		benchmark.run();
		if (!subjects.isEmpty()) {
			System.out.println();
			System.out.println(benchmark.table.render());
			System.out.println(new Targets(benchmark.table, options).render());
		}
		benchmark.failures.forEach((failure) -> System.out.println("FAILED: " + failure));
		Runtime.getRuntime().removeShutdownHook(cleanup);
		subjects.forEach(Benchmark::closeQuietly);
	}

	private static List<Subject> open(Database database, BenchOptions options) {
		List<Subject> subjects = new ArrayList<>();
		for (String name : BenchOptions.ALL_SUBJECTS) {
			if (!options.runs(name)) {
				continue;
			}
			subjects.add(switch (name) {
				case AutotaskSubject.NAME -> new AutotaskSubject(database, options.workers());
				case AutotaskSubject.WITHOUT_CONSOLE_INDEXES ->
					AutotaskSubject.withoutConsoleIndexes(database, options.workers());
				case AutotaskSubject.WITHOUT_EVENTS -> AutotaskSubject.withoutEvents(database, options.workers());
				case AutotaskSubject.WITHOUT_GROUP_TRIGGER ->
					AutotaskSubject.withoutGroupTrigger(database, options.workers());
				case AutotaskSubject.WITH_GLOBAL_LIMIT -> AutotaskSubject.withGlobalLimit(database, options.workers());
				case AutotaskSubject.WITH_RATE_LIMIT -> AutotaskSubject.withRateLimit(database, options.workers());
				case AutotaskSubject.WITH_CONCURRENCY_KEYS ->
					AutotaskSubject.withConcurrencyKeys(database, options.workers());
				case AutotaskSubject.WITH_KEY_RATES -> AutotaskSubject.withKeyRates(database, options.workers());
				case AutotaskSubject.WITH_ARGS -> AutotaskSubject.withArgs(database, options.workers(), true);
				case AutotaskSubject.WITH_ARGS_WITHOUT_CONSOLE_INDEXES ->
					AutotaskSubject.withArgs(database, options.workers(), false);
				case DbSchedulerSubject.NAME -> new DbSchedulerSubject(database, options.workers());
				case JobRunrSubject.NAME -> new JobRunrSubject(database, options.workers());
				default -> new RawSqlSubject(database, options.workers());
			});
		}
		return subjects;
	}

	private void run() throws InterruptedException {
		log("%s, %d core(s), heap max %d MiB; %s", System.getProperty("java.vm.name"),
				Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, this.options);
		if (this.options.warmUp() > 0) {
			warmUp(this.options.warmUp());
		}
		if (this.options.measures("drain")) {
			drain("drain " + count(this.options.drain()), this.options.drain(), this.options.runs(), this.subjects);
			if (this.options.bigDrain() > 0) {
				drain("drain " + count(this.options.bigDrain()), this.options.bigDrain(), this.options.bigDrainRuns(),
						this.subjects.stream()
							.filter((subject) -> this.options.bigDrainSubjects().contains(subject.name()))
							.toList());
			}
		}
		if (this.options.measures("enqueue")) {
			enqueue(ENQUEUE_ONE, this.options.enqueue(),
					(subject) -> subject.enqueueOneByOne(this.options.enqueue()));
		}
		if (this.options.measures("batch")) {
			enqueue("enqueue in batches of " + count(this.options.batchSize()), this.options.batches(),
					(subject) -> subject.enqueueBatches(this.options.batches(), this.options.batchSize()));
		}
		if (this.options.measures("latency")) {
			latency();
		}
		if (this.options.measures("console")) {
			System.out.println(new ConsoleTimings(this.database, this.options.consoleRows()).run());
		}
		if (this.options.measures("nodes")) {
			try {
				System.out.println(new NodeScaling(this.database, this.options.workers(), this.options.runs(),
						this.options.warmUpTime()).run());
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		}
		if (this.options.measures("profile")) {
			try {
				new Profiler(this.database, this.options).run();
			}
			catch (SQLException ex) {
				throw new IllegalStateException(ex);
			}
		}
		if (this.options.measures("soak")) {
			new Soak(this.options).run();
		}
	}

	/**
	 * Drains per subject, not counted, until {@code --warm-up-seconds} have passed (at least one),
	 * then one one-by-one enqueue: each library is timed in its steady state, not while the JIT
	 * still compiles its code. On two cores the compiler threads take much of the machine: after
	 * a single 20,000-task drain they were still compiling through the next three. A time budget
	 * rather than a task count treats the slow libraries like the quick ones; the JIT time each
	 * warm-up cost is printed.
	 */
	private void warmUp(int count) throws InterruptedException {
		CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
		long budget = this.options.warmUpTime().toNanos();
		for (Subject subject : this.subjects) {
			try {
				long compiledBefore = jit.getTotalCompilationTime();
				long start = System.nanoTime();
				int rounds = 0;
				Duration last;
				do {
					subject.clear();
					subject.preload(count);
					last = subject.drain(count);
					rounds++;
				}
				while (System.nanoTime() - start < budget);
				subject.clear();
				long enqueueStart = System.nanoTime();
				subject.enqueueOneByOne(this.options.enqueue());
				double enqueued = this.options.enqueue() / seconds(Duration.ofNanos(System.nanoTime() - enqueueStart));
				log("warm-up %s: %d drain(s) of %,d, the last at %,.0f tasks/s; enqueue one by one %,.0f tasks/s;"
						+ " JIT compilation %,d ms (not counted)", subject.name(), rounds, count,
						count / seconds(last), enqueued, jit.getTotalCompilationTime() - compiledBefore);
			}
			catch (RuntimeException ex) {
				failed("warm-up", subject, ex);
			}
		}
	}

	private void drain(String label, int count, int runs, List<Subject> subjects) throws InterruptedException {
		Results rates = new Results();
		Results heaps = new Results();
		for (int run = 1; run <= runs; run++) {
			for (Subject subject : subjects) {
				try {
					subject.clear();
					subject.preload(count);
					this.database.execute("CHECKPOINT");
					try (HeapSampler heap = HeapSampler.start()) {
						Duration elapsed = subject.drain(count);
						double rate = count / seconds(elapsed);
						rates.add(subject, rate);
						heaps.add(subject, heap.peakMebibytes());
						log("%s run %d %s: %,.0f tasks/s (%.1f s), heap peak %.0f MiB", label, run, subject.name(),
								rate, seconds(elapsed), heap.peakMebibytes());
					}
				}
				catch (RuntimeException ex) {
					failed(label, subject, ex);
				}
			}
		}
		rates.addTo(this.table, label, Unit.RATE);
		heaps.addTo(this.table, "heap peak, " + label, Unit.MEBIBYTES);
	}

	private void enqueue(String label, int count, Consumer<Subject> enqueue) {
		Results rates = new Results();
		for (int run = 1; run <= this.options.runs(); run++) {
			for (Subject subject : this.subjects) {
				try {
					subject.clear();
					this.database.execute("CHECKPOINT");
					long start = System.nanoTime();
					enqueue.accept(subject);
					double elapsed = seconds(Duration.ofNanos(System.nanoTime() - start));
					rates.add(subject, count / elapsed);
					log("%s run %d %s: %,.0f tasks/s (%.1f s)", label, run, subject.name(), count / elapsed, elapsed);
				}
				catch (RuntimeException ex) {
					failed(label, subject, ex);
				}
			}
		}
		rates.addTo(this.table, label, Unit.RATE);
	}

	private void latency() throws InterruptedException {
		Results p50 = new Results();
		Results p95 = new Results();
		Results p99 = new Results();
		Results p50FromCommit = new Results();
		Results notify = new Results();
		for (int run = 1; run <= this.options.runs(); run++) {
			for (Subject subject : this.subjects) {
				try {
					subject.clear();
					this.database.execute("CHECKPOINT");
					Latencies latencies = subject.latency(this.options.latency(), this.options.gap());
					p50.add(subject, millis(Stats.percentile(latencies.fromCall(), 50)));
					p95.add(subject, millis(Stats.percentile(latencies.fromCall(), 95)));
					p99.add(subject, millis(Stats.percentile(latencies.fromCall(), 99)));
					p50FromCommit.add(subject, millis(Stats.percentile(latencies.fromCommit(), 50)));
					log("latency run %d %s: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, p50 from commit %.2f ms", run,
							subject.name(), millis(Stats.percentile(latencies.fromCall(), 50)),
							millis(Stats.percentile(latencies.fromCall(), 95)),
							millis(Stats.percentile(latencies.fromCall(), 99)),
							millis(Stats.percentile(latencies.fromCommit(), 50)));
				}
				catch (RuntimeException ex) {
					failed("latency", subject, ex);
				}
				if (subject instanceof RawSqlSubject raw) {
					double bare = millis(Stats.percentile(raw.notifyLatency(this.options.latency(), this.options.gap())
						.fromCall(), 50));
					notify.add(subject, bare);
					log("bare NOTIFY round trip run %d: p50 %.2f ms", run, bare);
				}
			}
		}
		p50.addTo(this.table, LATENCY_P50, Unit.MILLIS);
		p95.addTo(this.table, LATENCY_P95, Unit.MILLIS);
		p99.addTo(this.table, LATENCY_P99, Unit.MILLIS);
		p50FromCommit.addTo(this.table, LATENCY_P50_FROM_COMMIT, Unit.MILLIS);
		notify.addTo(this.table, NOTIFY_P50, Unit.MILLIS);
	}

	private void failed(String measurement, Subject subject, RuntimeException ex) {
		String failure = measurement + " on " + subject.name() + ": " + ex;
		this.failures.add(failure);
		log("FAILED %s", failure);
		ex.printStackTrace();
	}

	private static void closeQuietly(Subject subject) {
		try {
			subject.close();
		}
		catch (RuntimeException ex) {
			System.err.println("Could not clean up " + subject.name() + ": " + ex);
		}
	}

	static String count(int count) {
		return String.format(Locale.ROOT, "%,d", count);
	}

	private static double seconds(Duration duration) {
		return duration.toNanos() / 1e9;
	}

	private static double millis(long nanos) {
		return nanos / 1e6;
	}

	static void log(String format, Object... args) {
		System.err.println("[" + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + ", load " + loadAverage() + "] "
				+ String.format(format, args));
	}

	/**
	 * The one-minute load average: above the core count, something else shares the machine and
	 * the figures of that moment are suspect.
	 */
	static String loadAverage() {
		try {
			return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
		}
		catch (IOException | RuntimeException ex) {
			return "?";
		}
	}

	/**
	 * One value per run and subject, until they go into the table.
	 */
	private static final class Results {

		private final Map<String, List<Double>> values = new LinkedHashMap<>();

		void add(Subject subject, double value) {
			this.values.computeIfAbsent(subject.name(), (key) -> new ArrayList<>()).add(value);
		}

		void addTo(ResultTable table, String measurement, Unit unit) {
			this.values.forEach((subject, runs) -> table.add(measurement, unit, subject,
					Stats.summary(runs.stream().mapToDouble(Double::doubleValue).toArray())));
		}

	}

}
