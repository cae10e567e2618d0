package dev.autotask.bench;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Where autotask's time goes: one drain, one latency run and one series of single enqueues,
 * each with every statement counted and timed on the client, the server sessions sampled, and
 * the CPU split between the JVM, the pool's backends and the rest of the machine.
 */
final class Profiler {

	private final Database database;

	private final BenchOptions options;

	Profiler(Database database, BenchOptions options) {
		this.database = database;
		this.options = options;
	}

	void run() throws InterruptedException, SQLException {
		try (AutotaskSubject subject = new AutotaskSubject(this.database, this.options.workers(), true)) {
			int count = this.options.drain();
			subject.clear();
			subject.preload(count);
			this.database.execute("CHECKPOINT");
			subject.engineStatements().reset();
			Duration elapsed;
			try (ServerSampler sampler = sampler("autotask-engine")) {
				elapsed = subject.drain(count);
				print("Profile: drain of %,d tasks at %,.0f tasks/s (statement timing adds a little)", count,
						count / (elapsed.toNanos() / 1e9));
				print(sampler.report());
			}
			print(subject.engineStatements().report(count));

			subject.clear();
			subject.engineStatements().reset();
			subject.clientStatements().reset();
			try (ServerSampler sampler = sampler("autotask-engine")) {
				Latencies latencies = subject.latency(this.options.latency(), this.options.gap());
				print("Profile: latency of %d tasks, p50 %.2f ms from the call, %.2f ms from the commit",
						this.options.latency(), Stats.percentile(latencies.fromCall(), 50) / 1e6,
						Stats.percentile(latencies.fromCommit(), 50) / 1e6);
				print(sampler.report());
			}
			print(subject.engineStatements().report(this.options.latency()));
			print(subject.clientStatements().report(this.options.latency()));

			subject.clear();
			subject.clientStatements().reset();
			try (ServerSampler sampler = sampler("autotask-client")) {
				long start = System.nanoTime();
				subject.enqueueOneByOne(this.options.enqueue());
				double seconds = (System.nanoTime() - start) / 1e9;
				print("Profile: %,d single enqueues at %,.0f tasks/s", this.options.enqueue(),
						this.options.enqueue() / seconds);
				print(sampler.report());
			}
			print(subject.clientStatements().report(this.options.enqueue()));
		}
		print("Drain patterns in plain JDBC on autotask's table, %,d tasks, %d workers:", this.options.drain(),
				this.options.workers());
		try {
			print(new DrainPatterns(this.database, this.options.workers()).run(this.options.drain()));
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private ServerSampler sampler(String pool) throws SQLException {
		return new ServerSampler(this.database.url(), this.database.user(), pool);
	}

	private static void print(String format, Object... args) {
		System.out.println(String.format(Locale.ROOT, format, args));
	}

	private static void print(List<String> lines) {
		lines.forEach(System.out::println);
		System.out.println();
	}

}
