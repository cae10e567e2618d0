package dev.autotask.internal.json;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Type;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.autotask.AttemptError;
import dev.autotask.TaskError;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.type.LogicalType;

/**
 * Writes and reads the JSON the task table stores: arguments as a JSON array in parameter
 * order, results as any JSON value, errors as {@code {"type", "message", "stackTrace"}}.
 */
public final class TaskJson {

	/** Stack traces beyond this many characters are cut: the head says where it broke. */
	static final int MAX_STACK_TRACE = 16 * 1024;

	// The arguments of a task without parameters, as written and as PostgreSQL returns jsonb.
	private static final String NO_ARGS = "[]";

	private final JsonMapper mapper;

	/**
	 * Create the JSON codec with autotask's own mapper, so that an application's Jackson
	 * settings never change what is stored.
	 */
	public TaskJson() {
		this(JsonMapper.builder()
			// Strict: a value that would be silently changed on the way back (2.5 read as 2, "7"
			// as 7, a record that gained a field) must fail, as "no longer fits", not run wrong.
			.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
			.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
			.enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
			.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
			.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
			.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
			.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
			.withCoercionConfig(LogicalType.Textual, (config) -> config
				.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
				.setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
				.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
			// An object with nothing to write would come back as {}: refuse it rather than lose it.
			.enable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
			.build());
	}

	/**
	 * Create the JSON codec around a given mapper.
	 * @param mapper the mapper
	 */
	public TaskJson(JsonMapper mapper) {
		this.mapper = mapper;
	}

	/**
	 * Write a call's arguments as a JSON array, checking that each can be read back into its
	 * parameter's type, so that a task that could never run is refused in the caller's thread.
	 * @param task the task being started
	 * @param args the arguments
	 * @return the JSON array
	 * @throws IllegalArgumentException if the count is wrong or an argument does not survive
	 * the round trip, naming the parameter
	 */
	public String writeArgs(TaskDefinition task, @Nullable Object[] args) {
		List<TaskParameter> parameters = task.parameters();
		if (args.length != parameters.size()) {
			throw new IllegalArgumentException("Task '" + task.name() + "' takes " + parameters.size()
					+ " argument(s) " + parameters + ", got " + args.length);
		}
		if (args.length == 0) {
			return NO_ARGS;
		}
		ArrayNode array = this.mapper.createArrayNode();
		for (int i = 0; i < args.length; i++) {
			TaskParameter parameter = parameters.get(i);
			try {
				JsonNode node = this.mapper.valueToTree(args[i]);
				checkFinite(task, parameter, readValue(node, parameter.type()));
				array.add(node);
			}
			catch (JacksonException ex) {
				throw new IllegalArgumentException("Argument '" + parameter.name() + "' of task '" + task.name()
						+ "' cannot be written as JSON and read back as " + parameter.type().getTypeName() + ": "
						+ ex.getOriginalMessage(), ex);
			}
		}
		return checkStorable(this.mapper.writeValueAsString(array), "Arguments of task '" + task.name() + "'");
	}

	/**
	 * Check arguments given as JSON (a positional array, or an object by parameter name) against
	 * a task's parameters, and return them as the stored JSON array.
	 * @param task the task being started
	 * @param json the arguments
	 * @return the JSON array to store
	 * @throws IllegalArgumentException if the JSON is malformed or does not fit, naming the
	 * parameter
	 */
	public String checkArgs(TaskDefinition task, String json) {
		JsonNode node;
		try {
			node = this.mapper.readTree(json);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException(
					"Arguments of task '" + task.name() + "' are not valid JSON: " + ex.getOriginalMessage(), ex);
		}
		ArrayNode array = toArray(task, node);
		@Nullable Object[] values = readArgs(task, array);
		for (int i = 0; i < values.length; i++) {
			checkFinite(task, task.parameters().get(i), values[i]);
		}
		return checkStorable(this.mapper.writeValueAsString(array), "Arguments of task '" + task.name() + "'");
	}

	/**
	 * Check a JSON value that stored arguments are to contain, as a search gives it: an object
	 * (arguments by name are stored by position, so this matches an argument that is an object)
	 * or an array.
	 * @param json the value
	 * @return the value, compacted
	 * @throws IllegalArgumentException if it is not valid JSON, or neither an object nor an array
	 */
	public String checkContainment(String json) {
		JsonNode node;
		try {
			node = this.mapper.readTree(json);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("argsContain is not valid JSON: " + ex.getOriginalMessage(), ex);
		}
		if (!node.isObject() && !node.isArray()) {
			throw new IllegalArgumentException(
					"argsContain must be a JSON object or array, was " + node.getNodeType().name().toLowerCase(Locale.ROOT));
		}
		if (node.isEmpty()) {
			// Every task's arguments contain it; the console's index leaves out tasks without any.
			throw new IllegalArgumentException("argsContain must hold at least one value, was " + node);
		}
		return this.mapper.writeValueAsString(node);
	}

	/**
	 * Read stored arguments back into the task's parameter types.
	 * @param task the task to run
	 * @param json the stored JSON array
	 * @return one value per parameter
	 * @throws IllegalArgumentException if they no longer fit the parameters (the method's
	 * signature changed since the task was enqueued), naming the parameter
	 */
	public @Nullable Object[] readArgs(TaskDefinition task, String json) {
		if (NO_ARGS.equals(json) && task.parameters().isEmpty()) {
			// The common case of a task without parameters needs no parser.
			return new Object[0];
		}
		JsonNode node;
		try {
			node = this.mapper.readTree(json);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("Stored arguments of task '" + task.name() + "' are not valid JSON", ex);
		}
		return readArgs(task, toArray(task, node));
	}

	private @Nullable Object[] readArgs(TaskDefinition task, ArrayNode array) {
		List<TaskParameter> parameters = task.parameters();
		if (array.size() != parameters.size()) {
			throw new IllegalArgumentException("Task '" + task.name() + "' takes " + parameters.size()
					+ " argument(s) " + parameters + ", got " + array.size());
		}
		@Nullable Object[] values = new Object[array.size()];
		for (int i = 0; i < values.length; i++) {
			TaskParameter parameter = parameters.get(i);
			try {
				values[i] = readValue(array.get(i), parameter.type());
			}
			catch (JacksonException ex) {
				throw new IllegalArgumentException("Argument '" + parameter.name() + "' of task '" + task.name()
						+ "' does not fit " + parameter.type().getTypeName() + ": " + withoutHints(ex.getOriginalMessage()), ex);
			}
		}
		return values;
	}

	private ArrayNode toArray(TaskDefinition task, JsonNode node) {
		if (node instanceof ArrayNode array) {
			return array;
		}
		if (node instanceof ObjectNode object) {
			ArrayNode array = this.mapper.createArrayNode();
			for (TaskParameter parameter : task.parameters()) {
				if (!object.has(parameter.name())) {
					throw new IllegalArgumentException(
							"Task '" + task.name() + "' is missing argument '" + parameter.name() + "'");
				}
				array.add(object.get(parameter.name()));
			}
			for (String field : object.propertyNames()) {
				if (task.parameters().stream().noneMatch((parameter) -> parameter.name().equals(field))) {
					throw new IllegalArgumentException("Task '" + task.name() + "' has no parameter '" + field
							+ "'; its parameters are " + task.parameters());
				}
			}
			return array;
		}
		throw new IllegalArgumentException("Arguments of task '" + task.name()
				+ "' must be a JSON array (by position) or object (by parameter name), got " + node.getNodeType());
	}

	private @Nullable Object readValue(JsonNode node, Type type) {
		JavaType javaType = this.mapper.getTypeFactory().constructType(type);
		if (node.isNull() && !javaType.isPrimitive()) {
			return null;
		}
		return this.mapper.readerFor(javaType).readValue(node);
	}

	/**
	 * Refuse an argument that holds NaN or an infinite number at any depth, as read into its
	 * parameter's type. JSON has no such numbers: Jackson would store them as the strings
	 * "NaN" and "Infinity", and reads those back as numbers. A number beyond the range of a
	 * float or double ({@code 1e400}) reads as infinite, so this refuses it too.
	 */
	private void checkFinite(TaskDefinition task, TaskParameter parameter, @Nullable Object value) {
		if (!isFinite(value)) {
			throw new IllegalArgumentException("Argument '" + parameter.name() + "' of task '" + task.name()
					+ "' does not fit " + parameter.type().getTypeName() + ": it is or holds NaN or an infinite "
					+ "number (a number beyond the type's range reads as infinite), which is never stored");
		}
	}

	private boolean isFinite(@Nullable Object value) {
		if (value instanceof Double number) {
			return Double.isFinite(number);
		}
		if (value instanceof Float number) {
			return Float.isFinite(number);
		}
		if (value == null || value instanceof Number || value instanceof CharSequence || value instanceof Boolean
				|| value instanceof Enum<?>) {
			return true;
		}
		JsonNode tree;
		try {
			// Written to a tree, not to text: the tree keeps NaN and infinity as numbers.
			tree = this.mapper.valueToTree(value);
		}
		catch (JacksonException ex) {
			// A type Jackson reads but cannot write, which cannot be checked this way; send
			// refuses it anyway, and only arguments given as JSON can reach this.
			return true;
		}
		return isFiniteTree(tree);
	}

	private static boolean isFiniteTree(JsonNode node) {
		if (node.isFloatingPointNumber()) {
			return Double.isFinite(node.doubleValue());
		}
		for (JsonNode child : node) {
			if (!isFiniteTree(child)) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Write a task's result.
	 * @param task the task that returned it
	 * @param result the result
	 * @return the JSON, or {@code null} for no result
	 * @throws IllegalArgumentException if it cannot be written as JSON
	 */
	public @Nullable String writeResult(TaskDefinition task, @Nullable Object result) {
		if (result == null) {
			return null;
		}
		try {
			return checkStorable(this.mapper.writeValueAsString(result), "Result of task '" + task.name() + "'");
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException("Result of task '" + task.name() + "' (" + result.getClass().getName()
					+ ") cannot be written as JSON: " + ex.getOriginalMessage(), ex);
		}
	}

	/**
	 * Read a stored result.
	 * @param <R> the result type
	 * @param json the stored JSON
	 * @param type the type to read it as
	 * @return the result
	 */
	public <R> @Nullable R readResult(@Nullable String json, Type type) {
		if (json == null || type == Void.class || type == void.class) {
			return null;
		}
		return this.mapper.readValue(json, this.mapper.getTypeFactory().constructType(type));
	}

	/**
	 * Write any value as JSON (a {@link dev.autotask.TaskFailure} message as a JSON string, for
	 * example).
	 * @param value the value
	 * @return the JSON
	 */
	public String write(Object value) {
		return this.mapper.writeValueAsString((value instanceof String text) ? withoutNul(text) : value);
	}

	/**
	 * PostgreSQL's jsonb cannot hold the NUL character: refuse JSON that contains it, naming
	 * what it was, rather than fail at the database.
	 */
	private static String checkStorable(String json, String what) {
		if (json.contains("\\u0000")) {
			throw new IllegalArgumentException(what + " cannot be stored: it contains the NUL character (U+0000), "
					+ "which PostgreSQL's jsonb does not accept");
		}
		return json;
	}

	private static @Nullable String withoutNul(@Nullable String text) {
		return (text != null) ? text.replace('\u0000', '\uFFFD') : null;
	}

	/**
	 * Describe an exception as stored: class, message and, unless {@code withStackTrace} is
	 * false, the stack trace.
	 * @param ex the exception
	 * @param withStackTrace whether to keep the stack trace
	 * @return the error
	 */
	public static TaskError describe(Throwable ex, boolean withStackTrace) {
		String stackTrace = null;
		if (withStackTrace) {
			StringWriter writer = new StringWriter();
			ex.printStackTrace(new PrintWriter(writer));
			stackTrace = writer.toString();
			if (stackTrace.length() > MAX_STACK_TRACE) {
				stackTrace = stackTrace.substring(0, MAX_STACK_TRACE) + "\n\t... (cut)";
			}
		}
		return new TaskError(ex.getClass().getName(), withoutNul(ex.getMessage()), withoutNul(stackTrace));
	}

	/**
	 * Write an error.
	 * @param error the error
	 * @return the JSON object
	 */
	public String writeError(TaskError error) {
		ObjectNode node = this.mapper.createObjectNode();
		node.put("type", error.type());
		node.put("message", withoutNul(error.message()));
		node.put("stackTrace", withoutNul(error.stackTrace()));
		return this.mapper.writeValueAsString(node);
	}

	/**
	 * Read a stored error.
	 * @param json the stored JSON object
	 * @return the error, or {@code null} for none
	 */
	public @Nullable TaskError readError(@Nullable String json) {
		if (json == null) {
			return null;
		}
		JsonNode node = this.mapper.readTree(json);
		return new TaskError(node.path("type").asString(), textOrNull(node.get("message")),
				textOrNull(node.get("stackTrace")));
	}

	/**
	 * Read the errors of a task's failed attempts, as stored (V11).
	 * @param json the stored JSON array, or {@code null} if no attempt failed
	 * @return the errors, oldest first
	 */
	public List<AttemptError> readAttemptErrors(@Nullable String json) {
		if (json == null) {
			return List.of();
		}
		List<AttemptError> errors = new ArrayList<>();
		for (JsonNode node : this.mapper.readTree(json)) {
			Instant at = OffsetDateTime.parse(node.path("at").asString()).toInstant();
			errors.add(new AttemptError(node.path("attempt").asInt(), at, textOrNull(node.get("node")),
					node.path("type").asString(), textOrNull(node.get("message"))));
		}
		return errors;
	}

	/**
	 * One stored argument as text, for a concurrency key: a string as it is, a number or a
	 * boolean as written in JSON, an object or array as its JSON.
	 * @param argsJson the task's stored JSON array of arguments
	 * @param index the argument's position
	 * @return the text, or {@code null} if the argument is null or missing
	 */
	public @Nullable String argumentText(String argsJson, int index) {
		JsonNode node = this.mapper.readTree(argsJson).get(index);
		if (node == null || node.isNull()) {
			return null;
		}
		return node.isValueNode() ? node.asString() : node.toString();
	}

	private static @Nullable String textOrNull(@Nullable JsonNode node) {
		return (node == null || node.isNull()) ? null : node.asString();
	}

	/**
	 * Jackson's message without its advice on settings: a caller cannot enable coercion, and
	 * autotask refuses it on purpose.
	 */
	private static String withoutHints(@Nullable String message) {
		return String.valueOf(message).replace(" (but might if coercion using `CoercionConfig` was enabled)", "");
	}

}
