package dev.autotask.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.autotask.bench.Stats.Figure;

/**
 * The figures of a run, one row per measurement and one column per subject, with the ratios of
 * autotask to each peer and to the raw SQL bound, as a Markdown table.
 */
final class ResultTable {

	private final List<String> subjects;

	private final Map<String, Row> rows = new LinkedHashMap<>();

	ResultTable(List<String> subjects) {
		this.subjects = subjects;
	}

	void add(String measurement, Unit unit, String subject, Figure figure) {
		this.rows.computeIfAbsent(measurement, (key) -> new Row(key, unit, new LinkedHashMap<>()))
			.figures()
			.put(subject, figure);
	}

	Optional<Figure> find(String measurement, String subject) {
		return Optional.ofNullable(this.rows.get(measurement)).map((row) -> row.figures().get(subject));
	}

	String render() {
		List<String> peers = this.subjects.stream()
			.filter((name) -> !name.equals(AutotaskSubject.NAME) && !name.equals(RawSqlSubject.NAME))
			.toList();
		List<String> header = new ArrayList<>();
		header.add("Measurement");
		this.subjects.forEach((name) -> header.add(name.equals(RawSqlSubject.NAME) ? "raw SQL bound" : name));
		peers.forEach((peer) -> header.add("autotask/" + peer));
		if (this.subjects.contains(RawSqlSubject.NAME)) {
			header.add("autotask/bound");
		}
		StringBuilder out = new StringBuilder();
		line(out, header);
		line(out, header.stream().map((cell) -> "---").toList());
		for (Row row : this.rows.values()) {
			List<String> cells = new ArrayList<>();
			cells.add(row.measurement() + " (" + row.unit().label + ")");
			this.subjects.forEach((name) -> cells.add(cell(row, name)));
			peers.forEach((peer) -> cells.add(ratio(row, peer)));
			if (this.subjects.contains(RawSqlSubject.NAME)) {
				cells.add(ratio(row, RawSqlSubject.NAME));
			}
			line(out, cells);
		}
		return out.toString();
	}

	private static void line(StringBuilder out, List<String> cells) {
		out.append("| ").append(String.join(" | ", cells)).append(" |\n");
	}

	private static String cell(Row row, String subject) {
		Figure figure = row.figures().get(subject);
		if (figure == null) {
			return "–";
		}
		return row.unit().format(figure.median()) + " (" + row.unit().format(figure.min()) + "–"
				+ row.unit().format(figure.max()) + ")";
	}

	private static String ratio(Row row, String other) {
		Figure autotask = row.figures().get(AutotaskSubject.NAME);
		Figure figure = row.figures().get(other);
		if (autotask == null || figure == null || figure.median() == 0) {
			return "–";
		}
		return String.format(Locale.ROOT, "%.2fx", autotask.median() / figure.median());
	}

	/**
	 * What a row measures in, and so how its figures are written.
	 */
	enum Unit {

		/** Tasks per second: higher is better. */
		RATE("tasks/s, higher is better"),

		/** Milliseconds: lower is better. */
		MILLIS("ms, lower is better"),

		/** Mebibytes: lower is better. */
		MEBIBYTES("MiB, lower is better");

		private final String label;

		Unit(String label) {
			this.label = label;
		}

		String format(double value) {
			if (this == MILLIS) {
				return String.format(Locale.ROOT, (value < 10) ? "%.2f" : "%.1f", value);
			}
			return String.format(Locale.ROOT, "%,.0f", value);
		}

	}

	private record Row(String measurement, Unit unit, Map<String, Figure> figures) {

	}

}
