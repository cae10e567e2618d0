package dev.autotask.boot.annotation;

import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.autotask.TaskContext;
import dev.autotask.TaskHandle;
import dev.autotask.annotation.CronTask;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.annotation.PeriodicTask;
import dev.autotask.schedule.Cron;
import dev.autotask.schedule.Every;
import dev.autotask.schedule.Schedule;
import dev.autotask.engine.RateLimit;
import dev.autotask.task.ConcurrencyKey;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskInvoker;
import dev.autotask.task.TaskParameter;
import dev.autotask.task.TaskSchedule;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * Reads a task annotation into a task definition and, for periodic and cron tasks, its
 * schedule. Every bad attribute fails with a message naming the method, the attribute and the
 * value.
 */
final class TaskDefinitionReader {

	private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

	TaskDefinition read(String beanName, Class<?> targetClass, Method method, DelayedTask annotation,
			TaskInvoker invoker) {
		String source = describe(method);
		checkRetries(annotation.retries(), source);
		Duration delay = duration(annotation.delay(), "delay", source);
		TaskDefinition task = define(name(annotation.name(), beanName, method), annotation.queue(), method, targetClass,
				annotation.retries(), (delay != null) ? delay : Duration.ZERO, duration(annotation.ttl(), "ttl", source),
				duration(annotation.timeout(), "timeout", source), annotation.failOnNodeLoss(), source, invoker)
			.withNoRetryFor(List.of(annotation.noRetryFor()));
		return StringUtils.hasText(annotation.concurrencyKey()) ? withKey(task, annotation, source) : task;
	}

	private static TaskDefinition withKey(TaskDefinition task, DelayedTask annotation, String source) {
		try {
			RateLimit rate = StringUtils.hasText(annotation.keyRateLimit())
					? RateLimitFormat.parse(annotation.keyRateLimit()) : null;
			return task.withConcurrencyKey(new ConcurrencyKey(annotation.concurrencyKey(), annotation.concurrencyLimit(),
					(rate != null) ? rate.starts() : 0, (rate != null) ? rate.period() : null));
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("@DelayedTask(concurrencyKey = \"" + annotation.concurrencyKey() + "\") on "
					+ source + " is invalid: " + ex.getMessage(), ex);
		}
	}

	TaskDefinition read(String beanName, Class<?> targetClass, Method method, PeriodicTask annotation,
			TaskInvoker invoker) {
		String source = describe(method);
		checkRetries(annotation.retries(), source);
		return define(name(annotation.name(), beanName, method), annotation.queue(), method, targetClass,
				annotation.retries(), Duration.ZERO, duration(annotation.ttl(), "ttl", source),
				duration(annotation.timeout(), "timeout", source), false, source, invoker);
	}

	TaskDefinition read(String beanName, Class<?> targetClass, Method method, CronTask annotation,
			TaskInvoker invoker) {
		String source = describe(method);
		checkRetries(annotation.retries(), source);
		return define(name(annotation.name(), beanName, method), annotation.queue(), method, targetClass,
				annotation.retries(), Duration.ZERO, duration(annotation.ttl(), "ttl", source),
				duration(annotation.timeout(), "timeout", source), false, source, invoker);
	}

	TaskSchedule schedule(TaskDefinition task, Method method, PeriodicTask annotation) {
		String source = describe(method);
		Duration every = duration(annotation.every(), "every", source);
		if (every == null) {
			throw new IllegalStateException("@PeriodicTask on " + source + " needs a period: every = \"10m\", say");
		}
		Schedule schedule;
		try {
			schedule = Every.of(every);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("@PeriodicTask(every = \"" + annotation.every() + "\") on " + source
					+ " (task '" + task.name() + "'): " + ex.getMessage(), ex);
		}
		return new TaskSchedule(task.name(), schedule, annotation.startNow(), annotation.misfire(),
				"every " + annotation.every());
	}

	TaskSchedule schedule(TaskDefinition task, Method method, CronTask annotation) {
		String source = describe(method);
		ZoneId zone = zone(annotation.zone(), source);
		boolean fields = StringUtils.hasText(annotation.minutes()) || StringUtils.hasText(annotation.hours())
				|| StringUtils.hasText(annotation.daysOfMonth()) || StringUtils.hasText(annotation.months())
				|| annotation.daysOfWeek().length > 0;
		if (StringUtils.hasText(annotation.value()) == fields) {
			throw new IllegalStateException("@CronTask on " + source + " needs either a cron expression or separate "
					+ "fields (minutes, hours, daysOfMonth, months, daysOfWeek), not " + (fields ? "both" : "neither"));
		}
		Cron cron;
		try {
			cron = fields ? Cron.of(orDefault(annotation.minutes(), "0"), orDefault(annotation.hours(), "*"),
					orDefault(annotation.daysOfMonth(), "*"), orDefault(annotation.months(), "*"), annotation.daysOfWeek(),
					zone) : Cron.parse(annotation.value(), zone);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException(
					"@CronTask on " + source + " (task '" + task.name() + "'): " + ex.getMessage(), ex);
		}
		return new TaskSchedule(task.name(), cron, false, annotation.misfire(), cron.expression() + " " + zone);
	}

	private TaskDefinition define(String name, String queue, Method method, Class<?> targetClass, int retries,
			Duration delay, @Nullable Duration ttl, @Nullable Duration timeout, boolean failOnNodeLoss, String source,
			TaskInvoker invoker) {
		try {
			return new TaskDefinition(name, queue, parameters(method), resultType(targetClass, method), retries + 1,
					delay, ttl, timeout, failOnNodeLoss, List.of(), null, source, invoker);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("Task annotation on " + source + " is invalid: " + ex.getMessage(), ex);
		}
	}

	private static String name(String name, String beanName, Method method) {
		return StringUtils.hasText(name) ? name : beanName + "." + method.getName();
	}

	private List<TaskParameter> parameters(Method method) {
		String[] names = this.parameterNames.getParameterNames(method);
		Type[] types = method.getGenericParameterTypes();
		List<TaskParameter> parameters = new ArrayList<>(types.length);
		for (int i = 0; i < types.length; i++) {
			// The context is given by the engine when the task runs, never stored as an argument.
			if (types[i] != TaskContext.class) {
				parameters.add(new TaskParameter((names != null) ? names[i] : "arg" + i, types[i]));
			}
		}
		return parameters;
	}

	private static Type resultType(Class<?> targetClass, Method method) {
		Class<?> returned = method.getReturnType();
		if (returned == void.class) {
			return Void.class;
		}
		ResolvableType type = ResolvableType.forMethodReturnType(method, targetClass);
		if (returned == TaskHandle.class) {
			type = type.as(TaskHandle.class).getGeneric(0);
		}
		return (type.getType() instanceof Class<?> || type.hasGenerics()) ? type.getType() : Object.class;
	}

	private static void checkRetries(int retries, String source) {
		if (retries < 0) {
			throw new IllegalStateException("Task annotation (retries = " + retries + ") on " + source
					+ " must be zero or more");
		}
	}

	private static ZoneId zone(String zone, String source) {
		if (!StringUtils.hasText(zone)) {
			return ZoneId.systemDefault();
		}
		try {
			return ZoneId.of(zone);
		}
		catch (DateTimeException ex) {
			throw new IllegalStateException("@CronTask(zone = \"" + zone + "\") on " + source + " is not a time zone", ex);
		}
	}

	private static String orDefault(String value, String defaultValue) {
		return StringUtils.hasText(value) ? value : defaultValue;
	}

	static @Nullable Duration duration(String value, String attribute, String source) {
		if (!StringUtils.hasText(value)) {
			return null;
		}
		try {
			return DurationStyle.detectAndParse(value);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("Task annotation (" + attribute + " = \"" + value + "\") on " + source
					+ " is not a duration; use e.g. 500ms, 10s, 5m, 1h, 7d or PT10S", ex);
		}
	}

	static String describe(Method method) {
		return ClassUtils.getShortName(method.getDeclaringClass()) + "." + method.getName() + "("
				+ StringUtils.arrayToCommaDelimitedString(
						Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).toArray())
				+ ")";
	}

}
