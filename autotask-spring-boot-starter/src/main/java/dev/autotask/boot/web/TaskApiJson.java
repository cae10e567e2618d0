package dev.autotask.boot.web;

import java.time.Instant;
import java.util.Collection;
import java.util.Set;

import dev.autotask.TaskError;
import dev.autotask.TaskInfo;
import dev.autotask.TaskStatus;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
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

	private static final Set<String> START_FIELDS = Set.of("name", "args");

	private final JsonMapper mapper = JsonMapper.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
		.build();

	/**
	 * What {@code POST /tasks} asks for.
	 * @param name the task's name
	 * @param args its arguments: a JSON array (by position) or object (by parameter name)
	 */
	record StartRequest(String name, String args) {
	}

	StartRequest readStart(byte[] body) {
		JsonNode node;
		try {
			node = this.mapper.readTree(body);
		}
		catch (JacksonException ex) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST,
					"The request body is not valid JSON: " + ex.getOriginalMessage());
		}
		if (node == null || !node.isObject()) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST,
					"The request body must be a JSON object: {\"name\": \"...\", \"args\": [...] or {...}}");
		}
		for (String field : node.propertyNames()) {
			if (!START_FIELDS.contains(field)) {
				throw new ApiProblem(HttpStatus.BAD_REQUEST,
						"Unknown field '" + ApiProblem.abbreviate(field, ApiProblem.MAX_QUOTE)
								+ "': a request to start a task has the fields 'name' and 'args'");
			}
		}
		JsonNode name = node.get("name");
		if (name == null || !name.isString() || name.stringValue().isBlank()) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST,
					"Field 'name' is required: the name of a registered task, as a string");
		}
		JsonNode args = node.get("args");
		if (args == null || args.isNull()) {
			return new StartRequest(name.stringValue(), "[]");
		}
		if (!args.isArray() && !args.isObject()) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST,
					"Field 'args' must be a JSON array (by position) or object (by parameter name)");
		}
		return new StartRequest(name.stringValue(), this.mapper.writeValueAsString(args));
	}

	String started(long id, TaskStatus status, String statusUrl) {
		ObjectNode node = this.mapper.createObjectNode();
		node.put("id", id);
		node.put("status", status.name());
		node.put("statusUrl", statusUrl);
		return this.mapper.writeValueAsString(node);
	}

	String task(TaskInfo info) {
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
		return this.mapper.writeValueAsString(node);
	}

	String taskTypes(Collection<TaskDefinition> definitions) {
		ArrayNode array = this.mapper.createArrayNode();
		for (TaskDefinition definition : definitions) {
			ObjectNode node = array.addObject();
			node.put("name", definition.name());
			node.put("queue", definition.queue());
			ArrayNode parameters = node.putArray("parameters");
			for (TaskParameter parameter : definition.parameters()) {
				parameters.addObject()
					.put("name", parameter.name())
					.put("type", ApiProblem.simpleTypeNames(parameter.type().getTypeName()));
			}
			node.put("maxAttempts", definition.maxAttempts());
		}
		return this.mapper.writeValueAsString(array);
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
