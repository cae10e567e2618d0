package dev.autotask.boot.web;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.autotask.TaskQuery;
import dev.autotask.TaskStatus;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;

/**
 * Reads a {@link TaskQuery} from the parameters of {@code GET /tasks/search}, or from the
 * {@code query} of a bulk action, which take the same names. An unknown name or a bad value is
 * a 400 that names it.
 */
final class TaskQueryReader {

	static final Set<String> PARAMETERS = Set.of("status", "queue", "name", "createdFrom", "createdTo",
			"finishedFrom", "finishedTo", "startedBy", "node", "group", "args", "error", "before", "limit");

	private TaskQueryReader() {
	}

	/**
	 * Read a query.
	 * @param parameters each parameter's values; {@code status} may repeat or list statuses
	 * separated by commas, the others are given once
	 * @return the query
	 * @throws ApiProblem if a parameter is unknown, repeated or out of range
	 */
	static TaskQuery read(Map<String, List<String>> parameters) {
		for (String name : parameters.keySet()) {
			if (!PARAMETERS.contains(name)) {
				throw new ApiProblem(HttpStatus.BAD_REQUEST,
						"Unknown parameter '" + ApiProblem.abbreviate(name, ApiProblem.MAX_QUOTE) + "': a search takes "
								+ String.join(", ", PARAMETERS.stream().sorted().toList()));
			}
		}
		Values values = new Values(parameters);
		try {
			return TaskQuery.builder()
				.statuses(values.statuses())
				.queue(values.one("queue"))
				.name(values.one("name"))
				.createdFrom(values.one("createdFrom", TaskQueryReader::instant))
				.createdTo(values.one("createdTo", TaskQueryReader::instant))
				.finishedFrom(values.one("finishedFrom", TaskQueryReader::instant))
				.finishedTo(values.one("finishedTo", TaskQueryReader::instant))
				.startedBy(values.one("startedBy"))
				.node(values.one("node"))
				.group(values.one("group", Long::valueOf))
				.argsContain(values.one("args"))
				.errorContains(values.one("error"))
				.before(values.one("before", Long::valueOf))
				.limit(values.oneOr("limit", Integer::valueOf, TaskQuery.DEFAULT_LIMIT))
				.build();
		}
		catch (IllegalArgumentException ex) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST, "Bad search: " + ex.getMessage());
		}
	}

	private static Instant instant(String value) {
		try {
			return Instant.parse(value);
		}
		catch (DateTimeParseException ex) {
			throw new IllegalArgumentException("an instant such as 2026-12-06T10:00:00Z", ex);
		}
	}

	private record Values(Map<String, List<String>> parameters) {

		@Nullable String one(String name) {
			return one(name, Function.identity());
		}

		<T> @Nullable T one(String name, Function<String, T> parse) {
			List<String> given = this.parameters.get(name);
			if (given == null || given.isEmpty() || (given.size() == 1 && given.get(0).isEmpty())) {
				return null;
			}
			if (given.size() > 1) {
				throw new ApiProblem(HttpStatus.BAD_REQUEST, "Parameter '" + name + "' is given more than once");
			}
			try {
				return parse.apply(given.get(0));
			}
			catch (IllegalArgumentException ex) {
				String expected = (ex instanceof NumberFormatException) ? "a whole number" : ex.getMessage();
				throw new ApiProblem(HttpStatus.BAD_REQUEST, "Parameter '" + name + "' must be " + expected + ", was '"
						+ ApiProblem.abbreviate(given.get(0), ApiProblem.MAX_QUOTE) + "'");
			}
		}

		<T> T oneOr(String name, Function<String, T> parse, T otherwise) {
			T value = one(name, parse);
			return (value != null) ? value : otherwise;
		}

		Set<TaskStatus> statuses() {
			Set<TaskStatus> statuses = EnumSet.noneOf(TaskStatus.class);
			for (String given : this.parameters.getOrDefault("status", List.of())) {
				for (String status : given.split(",")) {
					if (status.isBlank()) {
						continue;
					}
					try {
						statuses.add(TaskStatus.valueOf(status.trim().toUpperCase(Locale.ROOT)));
					}
					catch (IllegalArgumentException ex) {
						throw new ApiProblem(HttpStatus.BAD_REQUEST,
								"Parameter 'status' must name statuses among " + List.of(TaskStatus.values()) + ", was '"
										+ ApiProblem.abbreviate(status, ApiProblem.MAX_QUOTE) + "'");
					}
				}
			}
			return statuses;
		}

	}

}
