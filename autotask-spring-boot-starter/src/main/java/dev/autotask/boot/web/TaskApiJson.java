package dev.autotask.boot.web;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.autotask.AttemptError;
import dev.autotask.BulkResult;
import dev.autotask.FireInfo;
import dev.autotask.NodeInfo;
import dev.autotask.QueueInfo;
import dev.autotask.QueuePoint;
import dev.autotask.ScheduleInfo;
import dev.autotask.TaskAction;
import dev.autotask.TaskError;
import dev.autotask.TaskInfo;
import dev.autotask.TaskPage;
import dev.autotask.TaskStatus;
import dev.autotask.schedule.Every;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
import dev.autotask.task.TaskSchedule;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpStatus;

/**
 * Reads the REST API's requests and writes its responses with a mapper of its own, so that
 * the API looks the same whatever the application does to its Jackson settings (as Actuator
 * isolates its own mapper). Stored arguments and results are embedded as JSON, not as strings.
 */
final class TaskApiJson {

	private static final Set<String> START_FIELDS = Set.of("name", "args", "startAs");

	private static final Set<String> BULK_FIELDS = Set.of("action", "query");

	private static final Map<String, TaskAction> BULK_ACTIONS = Map.of("retry", TaskAction.RETRY, "run-now",
			TaskAction.RUN_NOW, "cancel", TaskAction.CANCEL, "delete", TaskAction.DELETE);

	private final JsonMapper mapper = JsonMapper.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.build();

	/**
	 * What {@code POST /tasks} asks for.
	 * @param name the task's name
	 * @param args its arguments: a JSON array (by position) or object (by parameter name)
	 * @param startAs the service user to start it as, or {@code null} for the caller
	 */
	record StartRequest(String name, String args, @Nullable String startAs) {
	}

	/**
	 * A bulk action, as read.
	 *
	 * @param action what to do
	 * @param query the search's parameters that say to which tasks
	 */
	record BulkRequest(TaskAction action, Map<String, List<String>> query) {
	}

	StartRequest readStart(byte[] body) {
		JsonNode node = readObject(body, "{\"name\": \"...\", \"args\": [...] or {...}}");
		for (String field : node.propertyNames()) {
			if (!START_FIELDS.contains(field)) {
				throw new ApiProblem(HttpStatus.BAD_REQUEST,
						"Unknown field '" + ApiProblem.abbreviate(field, ApiProblem.MAX_QUOTE)
								+ "': a request to start a task has the fields 'name', 'args' and 'startAs'");
			}
		}
		JsonNode name = node.get("name");
		if (name == null || !name.isString() || name.stringValue().isBlank()) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST,
					"Field 'name' is required: the name of a registered task, as a string");
		}
		JsonNode startAs = node.get("startAs");
		if (startAs != null && !startAs.isNull() && !startAs.isString()) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST, "Field 'startAs' must be the name of a service user, as a string");
		}
		String user = (startAs != null && !startAs.isNull()) ? startAs.stringValue() : null;
		JsonNode args = node.get("args");
		if (args == null || args.isNull()) {
			return new StartRequest(name.stringValue(), "[]", user);
		}
		if (!args.isArray() && !args.isObject()) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST,
					"Field 'args' must be a JSON array (by position) or object (by parameter name)");
		}
		return new StartRequest(name.stringValue(), this.mapper.writeValueAsString(args), user);
	}

	/**
	 * Decode a body as UTF-8, the one encoding of JSON between systems (RFC 8259), refusing
	 * malformed bytes. Jackson's own decoding is lenient: it reads the overlong form
	 * {@code C0 AE} as ".", so that {@code "a\xC0\xAEb"} would name the task {@code "a.b"}.
	 */
	JsonNode readObject(byte[] body, String example) {
		JsonNode node;
		try {
			node = this.mapper.readTree(decode(body));
		}
		catch (JacksonException ex) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST,
					"The request body is not valid JSON: " + ex.getOriginalMessage());
		}
		if (node == null || !node.isObject()) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST, "The request body must be a JSON object: " + example);
		}
		return node;
	}

	private static String decode(byte[] body) {
		ByteBuffer bytes = ByteBuffer.wrap(body);
		try {
			String text = StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(bytes)
				.toString();
			// A byte order mark may come before JSON, but is no part of it.
			return (text.startsWith("\uFEFF")) ? text.substring(1) : text;
		}
		catch (CharacterCodingException ex) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST,
					"The request body is not valid UTF-8: malformed bytes at offset " + bytes.position());
		}
	}

	String started(long id, TaskStatus status, String statusUrl) {
		ObjectNode node = this.mapper.createObjectNode();
		node.put("id", id);
		node.put("status", status.name());
		node.put("statusUrl", statusUrl);
		return this.mapper.writeValueAsString(node);
	}

	String task(TaskInfo info) {
		return this.mapper.writeValueAsString(taskNode(info));
	}

	String tasks(List<TaskInfo> infos) {
		ArrayNode array = this.mapper.createArrayNode();
		infos.forEach((info) -> array.add(taskNode(info)));
		return this.mapper.writeValueAsString(array);
	}

	String page(TaskPage page) {
		ObjectNode node = this.mapper.createObjectNode();
		ArrayNode tasks = node.putArray("tasks");
		page.tasks().forEach((info) -> tasks.add(taskNode(info)));
		ObjectNode counts = node.putObject("counts");
		page.counts().forEach((status, count) -> counts.put(status.name(), count));
		node.put("countCap", TaskPage.COUNT_CAP);
		node.put("next", page.next());
		return this.mapper.writeValueAsString(node);
	}

	String counts(Map<TaskStatus, Long> counts) {
		ObjectNode node = this.mapper.createObjectNode();
		ObjectNode byStatus = node.putObject("counts");
		counts.forEach((status, count) -> byStatus.put(status.name(), count));
		return this.mapper.writeValueAsString(node);
	}

	String bulkDone(TaskAction action, BulkResult result) {
		ObjectNode node = this.mapper.createObjectNode();
		node.put("action", action.name().toLowerCase(Locale.ROOT).replace('_', '-'));
		node.put("matched", result.matched());
		node.put("changed", result.changed());
		return this.mapper.writeValueAsString(node);
	}

	/**
	 * Read a bulk action: {@code {"action": "retry", "query": {"status": "FAILURE", "name": "x"}}},
	 * the query taking the names and values of a search's parameters.
	 */
	BulkRequest readBulk(byte[] body) {
		JsonNode node = readObject(body, "{\"action\": \"retry\", \"query\": {...}}");
		for (String field : node.propertyNames()) {
			if (!BULK_FIELDS.contains(field)) {
				throw new ApiProblem(HttpStatus.BAD_REQUEST, "Unknown field '"
						+ ApiProblem.abbreviate(field, ApiProblem.MAX_QUOTE)
						+ "': a bulk action has the fields 'action' and 'query'");
			}
		}
		JsonNode action = node.get("action");
		TaskAction parsed = (action != null && action.isString()) ? BULK_ACTIONS.get(action.stringValue()) : null;
		if (parsed == null) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST,
					"Field 'action' must be one of " + BULK_ACTIONS.keySet().stream().sorted().toList());
		}
		JsonNode query = node.get("query");
		if (query == null || !query.isObject()) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST,
					"Field 'query' is required: an object with a search's parameters ({} for every task)");
		}
		Map<String, List<String>> parameters = new LinkedHashMap<>();
		for (String name : query.propertyNames()) {
			JsonNode value = query.get(name);
			List<String> values = new ArrayList<>();
			for (JsonNode item : value.isArray() ? value : List.of(value)) {
				if (!item.isString() && !item.isNumber()) {
					throw new ApiProblem(HttpStatus.BAD_REQUEST, "Query field '"
							+ ApiProblem.abbreviate(name, ApiProblem.MAX_QUOTE) + "' must be a string or a number");
				}
				values.add(item.asString());
			}
			parameters.put(name, values);
		}
		return new BulkRequest(parsed, parameters);
	}

	String taskStatus(long id, TaskStatus status) {
		ObjectNode node = this.mapper.createObjectNode();
		node.put("id", id);
		node.put("status", status.name());
		return this.mapper.writeValueAsString(node);
	}

	private ObjectNode taskNode(TaskInfo info) {
		ObjectNode node = this.mapper.createObjectNode();
		node.put("id", info.id());
		node.put("name", info.name());
		node.put("queue", info.queue());
		node.put("owner", info.owner());
		node.put("status", info.status().name());
		node.set("args", this.mapper.readTree(info.args()));
		node.set("result", (info.result() != null) ? this.mapper.readTree(info.result()) : null);
		node.set("error", error(info.error()));
		node.put("attempt", info.attempt());
		node.put("maxAttempts", info.maxAttempts());
		node.put("createdAt", instant(info.createdAt()));
		node.put("runAt", instant(info.runAt()));
		node.put("startedAt", instant(info.startedAt()));
		node.put("finishedAt", instant(info.finishedAt()));
		node.set("progress", (info.progress() != null) ? this.mapper.readTree(info.progress()) : null);
		node.put("rescues", info.rescues());
		node.put("startedBy", info.startedBy());
		node.put("groupId", info.groupId());
		ArrayNode attempts = node.putArray("attemptErrors");
		for (AttemptError failed : info.attemptErrors()) {
			attempts.addObject()
				.put("attempt", failed.attempt())
				.put("at", instant(failed.at()))
				.put("node", failed.node())
				.put("type", failed.type())
				.put("message", failed.message());
		}
		return node;
	}

	/**
	 * The registered tasks, each with its kind, schedule and an example of its arguments.
	 * @param definitions the tasks
	 * @param schedules the schedules of periodic and cron tasks, by task name
	 * @param fires their last and next fire, by task name
	 */
	String taskTypes(Collection<TaskDefinition> definitions, Map<String, TaskSchedule> schedules,
			Map<String, ScheduleInfo> fires) {
		ArrayNode array = this.mapper.createArrayNode();
		for (TaskDefinition definition : definitions) {
			ObjectNode node = array.addObject();
			node.put("name", definition.name());
			TaskSchedule schedule = schedules.get(definition.name());
			node.put("kind", kind(schedule));
			node.put("queue", definition.queue());
			ArrayNode parameters = node.putArray("parameters");
			ObjectNode example = this.mapper.createObjectNode();
			for (TaskParameter parameter : definition.parameters()) {
				parameters.addObject()
					.put("name", parameter.name())
					.put("type", ApiProblem.simpleTypeNames(parameter.type().getTypeName()));
				example.set(parameter.name(), ExampleArgs.of(parameter.type(), this.mapper));
			}
			node.set("example", example);
			node.put("maxAttempts", definition.maxAttempts());
			ScheduleInfo fire = fires.get(definition.name());
			node.put("schedule", (fire != null) ? fire.schedule() : null);
			node.put("lastFire", (fire != null) ? instant(fire.lastFire()) : null);
			node.put("nextFire", (fire != null) ? instant(fire.nextFire()) : null);
			node.put("paused", (fire != null) && fire.paused());
		}
		return this.mapper.writeValueAsString(array);
	}

	String fires(List<FireInfo> fires) {
		ArrayNode array = this.mapper.createArrayNode();
		for (FireInfo fire : fires) {
			ObjectNode node = array.addObject();
			node.put("fireAt", instant(fire.fireAt()));
			node.put("taskId", fire.taskId());
			node.put("status", (fire.status() != null) ? fire.status().name() : null);
		}
		return this.mapper.writeValueAsString(array);
	}

	private static String kind(@Nullable TaskSchedule schedule) {
		if (schedule == null) {
			return "delayed";
		}
		return (schedule.schedule() instanceof Every) ? "periodic" : "cron";
	}

	String queues(List<QueueInfo> queues) {
		ArrayNode array = this.mapper.createArrayNode();
		for (QueueInfo queue : queues) {
			ObjectNode node = array.addObject();
			node.put("name", queue.name());
			node.put("paused", queue.paused());
			Duration age = queue.oldestPendingAge();
			node.put("oldestPendingSeconds", (age != null) ? age.toMillis() / 1000.0 : null);
			ObjectNode counts = node.putObject("counts");
			for (TaskStatus status : TaskStatus.values()) {
				counts.put(status.name(), queue.counts().getOrDefault(status, 0L));
			}
		}
		return this.mapper.writeValueAsString(array);
	}

	/**
	 * A queue's points for the page's charts, oldest first.
	 * @param queue the queue
	 * @param window the window asked for
	 * @param points the points
	 */
	String queueStats(String queue, Duration window, List<QueuePoint> points) {
		ObjectNode node = this.mapper.createObjectNode();
		node.put("queue", queue);
		node.put("window", window.toString());
		node.put("step", points.isEmpty() ? null : points.get(0).length().toString());
		ArrayNode array = node.putArray("points");
		for (QueuePoint point : points) {
			Duration age = point.oldestPendingAge();
			array.addObject()
				.put("start", instant(point.start()))
				.put("succeeded", point.succeeded())
				.put("failed", point.failed())
				.put("depth", point.depth())
				.put("oldestPendingSeconds", (age != null) ? age.toMillis() / 1000.0 : null);
		}
		return this.mapper.writeValueAsString(node);
	}

	String nodes(List<NodeInfo> nodes, @Nullable String leader) {
		ObjectNode node = this.mapper.createObjectNode();
		node.put("leader", leader);
		ArrayNode array = node.putArray("nodes");
		for (NodeInfo alive : nodes) {
			array.addObject()
				.put("id", alive.id())
				.put("workers", alive.workers())
				.put("running", alive.running())
				.put("claimedAhead", alive.claimedAhead())
				.put("startedAt", instant(alive.startedAt()))
				.put("heartbeatAt", instant(alive.heartbeatAt()))
				.put("leader", alive.id().equals(leader));
		}
		return this.mapper.writeValueAsString(node);
	}

	/**
	 * What the caller may do, for the admin page.
	 * @param user the caller's user name, or {@code null} without Spring Security
	 * @param canStart whether the caller may start, cancel and pause
	 * @param serviceUsers the users the caller may start tasks as, besides themselves
	 * @param historyPerTask how many runs the history shows
	 */
	String caller(@Nullable String user, boolean canStart, List<String> serviceUsers, int historyPerTask) {
		ObjectNode node = this.mapper.createObjectNode();
		node.put("user", user);
		node.put("canStart", canStart);
		ArrayNode users = node.putArray("serviceUsers");
		serviceUsers.forEach(users::add);
		node.put("historyPerTask", historyPerTask);
		return this.mapper.writeValueAsString(node);
	}

	/**
	 * An RFC 9457 problem detail, with the fields Spring's {@code ProblemDetail} writes.
	 * @param status the HTTP status
	 * @param title the status's reason phrase
	 * @param detail what is wrong, or {@code null} to leave it to the title
	 * @param instance the path of the request
	 */
	String problem(int status, String title, @Nullable String detail, String instance) {
		ObjectNode node = this.mapper.createObjectNode();
		node.put("type", "about:blank");
		node.put("title", title);
		node.put("status", status);
		if (detail != null) {
			node.put("detail", detail);
		}
		node.put("instance", instance);
		return this.mapper.writeValueAsString(node);
	}

	private @Nullable ObjectNode error(@Nullable TaskError error) {
		if (error == null) {
			return null;
		}
		ObjectNode node = this.mapper.createObjectNode();
		node.put("type", error.type());
		node.put("message", error.message());
		node.put("stackTrace", error.stackTrace());
		return node;
	}

	private static @Nullable String instant(@Nullable Instant instant) {
		return (instant != null) ? instant.toString() : null;
	}

}
