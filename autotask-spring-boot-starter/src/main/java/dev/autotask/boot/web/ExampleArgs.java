package dev.autotask.boot.web;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * An example value of a parameter type, as JSON, to prefill the admin page's arguments field:
 * {@code 0} for numbers, {@code ""} for text, the first constant of an enum, a date for dates,
 * and an object with a value per component for a record. It shows the shape the task reads;
 * the user replaces the values.
 */
final class ExampleArgs {

	/** Deep enough for a record holding records, short of looping on a recursive type. */
	private static final int MAX_DEPTH = 4;

	private ExampleArgs() {
	}

	static JsonNode of(Type type, JsonMapper mapper) {
		return of(type, mapper, 0);
	}

	private static JsonNode of(Type type, JsonMapper mapper, int depth) {
		if (type instanceof ParameterizedType parameterized) {
			return of(parameterized.getRawType(), mapper, depth);
		}
		if (type instanceof GenericArrayType) {
			return mapper.createArrayNode();
		}
		if (!(type instanceof Class<?> cls)) {
			return mapper.nullNode();
		}
		if (cls == boolean.class || cls == Boolean.class) {
			return mapper.getNodeFactory().booleanNode(false);
		}
		if (cls.isPrimitive() || Number.class.isAssignableFrom(cls) && cls != BigDecimal.class) {
			return (cls == double.class || cls == float.class || cls == Double.class || cls == Float.class)
					? mapper.getNodeFactory().numberNode(0.0) : mapper.getNodeFactory().numberNode(0);
		}
		if (cls == BigDecimal.class || cls == BigInteger.class) {
			return mapper.getNodeFactory().numberNode(0);
		}
		if (cls == String.class || cls == char.class || cls == Character.class) {
			return mapper.getNodeFactory().stringNode("");
		}
		if (cls.isEnum()) {
			Object[] constants = cls.getEnumConstants();
			return (constants.length > 0) ? mapper.getNodeFactory().stringNode(((Enum<?>) constants[0]).name())
					: mapper.nullNode();
		}
		JsonNode time = time(cls, mapper);
		if (time != null) {
			return time;
		}
		if (cls.isArray() || Collection.class.isAssignableFrom(cls)) {
			return mapper.createArrayNode();
		}
		if (Map.class.isAssignableFrom(cls) || depth >= MAX_DEPTH) {
			return mapper.createObjectNode();
		}
		ObjectNode node = mapper.createObjectNode();
		if (cls.isRecord()) {
			for (RecordComponent component : cls.getRecordComponents()) {
				node.set(component.getName(), of(component.getGenericType(), mapper, depth + 1));
			}
		}
		return node;
	}

	private static @Nullable JsonNode time(Class<?> cls, JsonMapper mapper) {
		@Nullable String example = null;
		if (cls == LocalDate.class) {
			example = "2026-01-31";
		}
		else if (cls == LocalDateTime.class) {
			example = "2026-01-31T09:00:00";
		}
		else if (cls == LocalTime.class) {
			example = "09:00:00";
		}
		else if (cls == Instant.class || cls == OffsetDateTime.class || cls == ZonedDateTime.class) {
			example = "2026-01-31T09:00:00Z";
		}
		else if (cls == Duration.class) {
			example = "PT5M";
		}
		else if (cls == UUID.class) {
			example = "00000000-0000-0000-0000-000000000000";
		}
		return (example != null) ? mapper.getNodeFactory().stringNode(example) : null;
	}

}
