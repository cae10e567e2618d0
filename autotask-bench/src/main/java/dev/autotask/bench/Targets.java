package dev.autotask.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.autotask.bench.Stats.Figure;

/**
 * The targets of issue 17 for autotask (and an earlier issue's for batches), each checked against
 * the medians of the run.
 */
final class Targets {

	private final ResultTable table;

	private final BenchOptions options;

	Targets(ResultTable table, BenchOptions options) {
		this.table = table;
		this.options = options;
	}

	String render() {
		String drain = "drain " + Benchmark.count(this.options.drain());
		String bigDrain = "drain " + Benchmark.count(this.options.bigDrain());
		String batch = "enqueue in batches of " + Benchmark.count(this.options.batchSize());
		List<String> lines = new ArrayList<>();
		lines.add("Targets (medians):");
		lines.add(atLeast(drain + " >= 4x db-scheduler", drain, DbSchedulerSubject.NAME, 4.0));
		lines.add(atLeast(drain + " >= 0.8x raw bound", drain, RawSqlSubject.NAME, 0.8));
		if (this.options.bigDrain() > 0) {
			lines.add(notSlowerBy15Percent(bigDrain + " no more than 15% slower than " + drain, figure(bigDrain),
					figure(drain)));
		}
		else {
			lines.add("- drain 1,000,000 within 15% of " + drain + ": not measured in this run (add --with-1m)");
		}
		lines.add(atLeast("enqueue one by one >= 1.2x db-scheduler", Benchmark.ENQUEUE_ONE, DbSchedulerSubject.NAME,
				1.2));
		lines.add(atLeast("enqueue one by one >= 0.8x raw single-row INSERT", Benchmark.ENQUEUE_ONE,
				RawSqlSubject.NAME, 0.8));
		lines.add(atLeast("batch enqueue >= 1.5x db-scheduler's scheduleBatch", batch, DbSchedulerSubject.NAME, 1.5));
		lines.add(atMost("latency p50 <= 1.2x raw bound (insert + notify in one transaction, claim on wake-up)",
				Benchmark.LATENCY_P50, RawSqlSubject.NAME, 1.2));
		lines.add(figure(Benchmark.LATENCY_P99)
			.map((p99) -> verdict(p99.median() < 15, "latency p99 < 15 ms",
					String.format(Locale.ROOT, "%.2f ms", p99.median())))
			.orElse(missing("latency p99 < 15 ms")));
		return String.join("\n", lines);
	}

	private Optional<Figure> figure(String measurement) {
		return this.table.find(measurement, AutotaskSubject.NAME);
	}

	private String atLeast(String target, String measurement, String other, double factor) {
		return ratio(measurement, other).map((ratio) -> verdict(ratio >= factor, target, format(ratio)))
			.orElse(missing(target));
	}

	private String atMost(String target, String measurement, String other, double factor) {
		return ratio(measurement, other).map((ratio) -> verdict(ratio <= factor, target, format(ratio)))
			.orElse(missing(target));
	}

	/**
	 * The target's point is that a big backlog does not slow the drain (the claim index stays
	 * small), so a big drain faster than the small one meets it: the small one is short enough
	 * for start-up and the last, half-busy claims to weigh in it.
	 */
	private String notSlowerBy15Percent(String target, Optional<Figure> big, Optional<Figure> small) {
		if (big.isEmpty() || small.isEmpty()) {
			return missing(target);
		}
		double ratio = big.get().median() / small.get().median();
		return verdict(ratio >= 0.85, target, format(ratio));
	}

	private Optional<Double> ratio(String measurement, String other) {
		Optional<Figure> autotask = this.table.find(measurement, AutotaskSubject.NAME);
		Optional<Figure> figure = this.table.find(measurement, other);
		if (autotask.isEmpty() || figure.isEmpty()) {
			return Optional.empty();
		}
		return Optional.of(autotask.get().median() / figure.get().median());
	}

	private static String verdict(boolean met, String target, String actual) {
		return "- " + target + ": " + actual + " -> " + (met ? "met" : "NOT met");
	}

	private static String missing(String target) {
		return "- " + target + ": not measured in this run";
	}

	private static String format(double ratio) {
		return String.format(Locale.ROOT, "%.2fx", ratio);
	}

}
