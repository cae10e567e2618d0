package dev.autotask.boot.web;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.autotask.ScheduleEntry;
import dev.autotask.ScheduleSpec;
import dev.autotask.schedule.Misfire;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.http.HttpStatus;

/**
 * Reads the bodies of {@code POST /schedules} and {@code PUT /schedules/{name}}, and writes
 * schedules, with the strict reading of {@link TaskApiJson}.
 */
final class ScheduleApiJson {

	private static final Set<String> FIELDS = Set.of("name", "task", "cron", "every", "zone", "args", "misfire");

	private static final String EXAMPLE = "{\"name\": \"nightly\", \"task\": \"...\", \"cron\": \"0 2 * * *\","
			+ " \"zone\": \"Europe/Stockholm\", \"args\": [...]}, or \"every\": \"10m\" instead of cron and zone";

	private final TaskApiJson tasks = new TaskApiJson();

	private final JsonMapper mapper = JsonMapper.builder().build();

	/**
	 * A schedule as asked for.
	 * @param name its name, or {@code null} where the path names it
	 * @param spec what it fires and when
	 */
	record ScheduleRequest(@Nullable String name, ScheduleSpec spec) {
	}

	ScheduleRequest read(byte[] body) {
		JsonNode node = this.tasks.readObject(body, EXAMPLE);
		for (String field : node.propertyNames()) {
			if (!FIELDS.contains(field)) {
				throw bad("Unknown field '" + ApiProblem.abbreviate(field, ApiProblem.MAX_QUOTE)
						+ "': a schedule has the fields " + String.join(", ", List.of("name", "task", "cron", "every",
								"zone", "args", "misfire")));
			}
		}
		String task = string(node, "task");
		if (task == null || task.isBlank()) {
			throw bad("Field 'task' is required: the name of a registered task, as a string");
		}
		String cron = string(node, "cron");
		String every = string(node, "every");
		String zone = string(node, "zone");
		if ((cron == null) == (every == null)) {
			throw bad("Give either 'cron' (an expression such as \"0 2 * * *\") or 'every' (a period such as"
					+ " \"10m\" or \"PT10M\"), not both or neither");
		}
		ScheduleSpec spec;
		if (cron != null) {
			spec = ScheduleSpec.cron(task, cron);
			spec = (zone != null) ? spec.zone(zone) : spec;
		}
		else {
			if (zone != null) {
				throw bad("Field 'zone' is for a cron expression; a period is the same in every zone");
			}
			spec = ScheduleSpec.every(task, period(every));
		}
		JsonNode args = node.get("args");
		if (args != null && !args.isNull()) {
			if (!args.isArray() && !args.isObject()) {
				throw bad("Field 'args' must be a JSON array (by position) or object (by parameter name)");
			}
			spec = spec.argsJson(this.mapper.writeValueAsString(args));
		}
		String misfire = string(node, "misfire");
		if (misfire != null) {
			spec = spec.misfire(misfire(misfire));
		}
		return new ScheduleRequest(string(node, "name"), spec);
	}

	String schedules(List<ScheduleEntry> entries) {
		ArrayNode array = this.mapper.createArrayNode();
		entries.forEach((entry) -> array.add(node(entry)));
		return this.mapper.writeValueAsString(array);
	}

	String schedule(ScheduleEntry entry) {
		return this.mapper.writeValueAsString(node(entry));
	}

	private ObjectNode node(ScheduleEntry entry) {
		ObjectNode node = this.mapper.createObjectNode();
		node.put("name", entry.name());
		node.put("task", entry.task());
		node.put("schedule", entry.schedule());
		node.set("args", this.mapper.readTree(entry.args()));
		node.put("misfire", entry.misfire().name());
		node.put("declared", entry.declared());
		node.put("paused", entry.paused());
		node.put("lastFire", instant(entry.lastFire()));
		node.put("nextFire", instant(entry.nextFire()));
		return node;
	}

	private static @Nullable String instant(@Nullable Instant instant) {
		return (instant != null) ? instant.toString() : null;
	}

	private static @Nullable String string(JsonNode node, String field) {
		JsonNode value = node.get(field);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isString()) {
			throw bad("Field '" + field + "' must be a string");
		}
		return value.stringValue();
	}

	private static Duration period(String every) {
		try {
			return DurationStyle.detectAndParse(every);
		}
		catch (IllegalArgumentException ex) {
			throw bad("Field 'every' must be a period such as \"10m\", \"1h\" or \"PT10M\", got '"
					+ ApiProblem.abbreviate(every, ApiProblem.MAX_QUOTE) + "'");
		}
	}

	private static Misfire misfire(String misfire) {
		try {
			return Misfire.valueOf(misfire.toUpperCase(Locale.ROOT).replace('-', '_'));
		}
		catch (IllegalArgumentException ex) {
			throw bad("Field 'misfire' must be RUN_ONCE or SKIP, got '"
					+ ApiProblem.abbreviate(misfire, ApiProblem.MAX_QUOTE) + "'");
		}
	}

	private static ApiProblem bad(String detail) {
		return new ApiProblem(HttpStatus.BAD_REQUEST, detail);
	}

}
