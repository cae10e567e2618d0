package dev.autotask.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The soak's record: one {@link SoakRow} per interval, and the tasks ended by each second, from
 * which the first and last tenths' throughput are taken. Renders the timeline as a Markdown table
 * and judges the three targets.
 */
final class SoakTimeline {

	private static final double MIB = 1024.0 * 1024.0;

	private final List<SoakRow> rows = new ArrayList<>();

	// Tasks ended by the end of each whole second, from the start; endedBy.get(0) is at 0 s.
	private final List<Long> endedBy = new ArrayList<>(List.of(0L));

	void add(SoakRow row) {
		this.rows.add(row);
	}

	/**
	 * Record the tasks ended by the next whole second.
	 * @param ended tasks ended since the start
	 */
	void second(long ended) {
		this.endedBy.add(ended);
	}

	List<SoakRow> rows() {
		return this.rows;
	}

	String render() {
		StringBuilder out = new StringBuilder();
		out.append("| time | enqueued | ended | ended/s | pruned | backlog | producer behind | table MiB | indexes MiB"
				+ " | outbox MiB | live rows | dead rows | autovacuums | WAL MiB/s | checkpoints (requested) | heap min MiB | heap after GC MiB | CPU busy | JVM CPU | load |\n");
		out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		for (SoakRow row : this.rows) {
			long seconds = row.end().toSeconds();
			out.append(String.format(Locale.ROOT,
					"| %d:%02d | %,d | %,d | %,.0f | %,d | %,d | %,d | %.1f | %.1f | %.2f | %,d | %,d | %d | %.1f | %d (%d) | %.1f | %.1f | %.0f%% | %.0f%% | %s |%n",
					seconds / 60, seconds % 60, row.enqueued(), row.ended(), row.throughput(), row.pruned(), row.backlog(),
					row.producerBehind(), row.tableBytes() / MIB, row.indexBytes() / MIB, row.outboxBytes() / MIB,
					row.liveTuples(), row.deadTuples(), row.autovacuums(), row.walRate() / MIB, row.checkpoints(),
					row.requestedCheckpoints(), row.heapMin() / MIB,
					row.heapAfterGc() / MIB, row.machineBusy(), row.jvmCpu(), row.load()));
		}
		return out.toString();
	}

	/**
	 * The targets, each judged with how it was judged.
	 * @param settled when sizes and heap should have stopped growing (the first TTL and two
	 * prunes after it)
	 * @return one line per verdict
	 */
	List<String> verdicts(Duration settled) {
		List<String> lines = new ArrayList<>();
		int seconds = this.endedBy.size() - 1;
		int tenth = seconds / 10;
		if (tenth < 1) {
			lines.add("- throughput: not judged, the soak ran less than 10 s");
		}
		else {
			double first = (this.endedBy.get(tenth) - this.endedBy.get(0)) / (double) tenth;
			double last = (this.endedBy.get(seconds) - this.endedBy.get(seconds - tenth)) / (double) tenth;
			lines.add(String.format(Locale.ROOT,
					"- throughput of the last tenth (%d s) vs the first: %,.0f vs %,.0f tasks/s = %.2fx (target >= 0.9x): %s",
					tenth, last, first, last / first, met(last >= 0.9 * first)));
		}
		Optional<SoakRow> reference = this.rows.stream().filter((row) -> row.end().compareTo(settled) >= 0).findFirst();
		if (reference.isEmpty() || reference.get() == this.rows.get(this.rows.size() - 1)) {
			lines.add("- sizes and heap: not judged, the soak ended before " + settled
					+ " (the TTL and two prunes) had passed plus one row");
			return lines;
		}
		SoakRow ref = reference.get();
		List<SoakRow> after = this.rows.subList(this.rows.indexOf(ref), this.rows.size());
		SoakRow last = this.rows.get(this.rows.size() - 1);
		lines.add(flat("table + indexes", after, SoakRow::sizeBytes, 0));
		lines.add("  of which " + flat("table", after, SoakRow::tableBytes, 0).substring(2));
		lines.add("  of which " + flat("indexes", after, SoakRow::indexBytes, 0).substring(2));
		lines.add(flat("heap after GC", after, SoakRow::heapAfterGc, 10));
		lines.add(String.format(Locale.ROOT, "- backlog: %,d at %s, %,d at the end", ref.backlog(), time(ref),
				last.backlog()));
		return lines;
	}

	/**
	 * Flat: the last value at most 1.2x the reference's (the first row after the TTL and two
	 * prunes), or at most {@code slackMib} above it; the largest value after the reference and the
	 * least-squares trend are printed beside it.
	 */
	private static String flat(String what, List<SoakRow> after, ToDoubleFunction<SoakRow> value, double slackMib) {
		SoakRow ref = after.get(0);
		SoakRow last = after.get(after.size() - 1);
		double start = value.applyAsDouble(ref) / MIB;
		double end = value.applyAsDouble(last) / MIB;
		double max = after.stream().mapToDouble(value).max().orElse(0) / MIB;
		boolean met = end <= 1.2 * start || end <= start + slackMib;
		return String.format(Locale.ROOT,
				"- %s: %.1f MiB at %s, %.1f MiB at the end = %.2fx, largest after %s %.1f MiB, trend %+.1f MiB per 10 min"
						+ " (target: end <= 1.2x%s): %s",
				what, start, time(ref), end, end / start, time(ref), max, trend(after, value) * 10 / MIB,
				(slackMib > 0) ? String.format(Locale.ROOT, " or <= +%.0f MiB", slackMib) : "", met(met));
	}

	// Least-squares slope of value against minutes.
	private static double trend(List<SoakRow> rows, ToDoubleFunction<SoakRow> value) {
		double n = rows.size();
		double sx = 0;
		double sy = 0;
		double sxx = 0;
		double sxy = 0;
		for (SoakRow row : rows) {
			double x = row.minutes();
			double y = value.applyAsDouble(row);
			sx += x;
			sy += y;
			sxx += x * x;
			sxy += x * y;
		}
		double denominator = n * sxx - sx * sx;
		return (denominator == 0) ? 0 : (n * sxy - sx * sy) / denominator;
	}

	private static String time(SoakRow row) {
		long seconds = row.end().toSeconds();
		return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
	}

	private static String met(boolean met) {
		return met ? "met" : "NOT met";
	}

}
