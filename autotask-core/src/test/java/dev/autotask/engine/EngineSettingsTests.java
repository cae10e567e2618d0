package dev.autotask.engine;

import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Tests for {@link EngineSettings}.
 */
class EngineSettingsTests {

	@Test
	void defaultsAreValidAndUseTheDefaultConstants() {
		EngineSettings settings = EngineSettings.defaults();

		assertThat(settings.schema()).isNull();
		assertThat(settings.defaultOwner()).isEqualTo(EngineSettings.DEFAULT_OWNER);
		assertThat(settings.workers()).isEqualTo(EngineSettings.DEFAULT_WORKERS);
		assertThat(settings.pollInterval()).isEqualTo(EngineSettings.DEFAULT_POLL_INTERVAL);
		assertThat(settings.retryDelay()).isEqualTo(EngineSettings.DEFAULT_RETRY_DELAY);
		assertThat(settings.maxRetryDelay()).isEqualTo(EngineSettings.DEFAULT_MAX_RETRY_DELAY);
		assertThat(settings.resultTtl()).isEqualTo(EngineSettings.DEFAULT_RESULT_TTL);
		assertThat(settings.cleanInterval()).isEqualTo(EngineSettings.DEFAULT_CLEAN_INTERVAL);
		assertThat(settings.shutdownTimeout()).isEqualTo(EngineSettings.DEFAULT_SHUTDOWN_TIMEOUT);
	}

	@Test
	void virtualThreadsAreRefusedBeforeJava21AndKeptInEveryCopyAfter() {
		EngineSettings settings = EngineSettings.defaults();
		assertThat(settings.virtualThreads()).isFalse();
		if (Runtime.version().feature() < 21) {
			assertThatIllegalArgumentException().isThrownBy(() -> settings.toBuilder().virtualThreads(true).build())
				.withMessage("virtualThreads needs Java 21 or later, this is Java " + Runtime.version().feature());
		}
		else {
			EngineSettings virtual = settings.toBuilder().virtualThreads(true).build();
			assertThat(virtual.virtualThreads()).isTrue();
			assertThat(virtual.toBuilder().workers(3).queueConcurrency(Map.of("mail", 2)).build().virtualThreads())
				.isTrue();
		}
	}

	@Test
	void generatedNodeIdsNameTheJvmAndDifferEachTime() {
		String jvm = ManagementFactory.getRuntimeMXBean().getName();

		assertThat(EngineSettings.defaults().nodeId()).startsWith(jvm + "-").hasSize(jvm.length() + 9);
		assertThat(EngineSettings.generateNodeId()).isNotEqualTo(EngineSettings.generateNodeId());
	}

	@Test
	void builderMethodsChangeOnlyTheirOwnValue() {
		EngineSettings defaults = EngineSettings.defaults();

		EngineSettings settings = defaults.toBuilder()
			.nodeId("node-a")
			.schema("jobs")
			.workers(3)
			.pollInterval(Duration.ofSeconds(1))
			.retryDelay(Duration.ofMillis(20))
			.cleanInterval(Duration.ofSeconds(9))
			.build();

		assertThat(settings.nodeId()).isEqualTo("node-a");
		assertThat(settings.schema()).isEqualTo("jobs");
		assertThat(settings.workers()).isEqualTo(3);
		assertThat(settings.pollInterval()).isEqualTo(Duration.ofSeconds(1));
		assertThat(settings.retryDelay()).isEqualTo(Duration.ofMillis(20));
		assertThat(settings.cleanInterval()).isEqualTo(Duration.ofSeconds(9));
		assertThat(settings).usingRecursiveComparison()
			.ignoringFields("nodeId", "schema", "workers", "pollInterval", "retryDelay", "cleanInterval")
			.isEqualTo(defaults);
	}

	@Test
	void toBuilderKeepsEveryValue() throws Throwable {
		EngineSettings defaults = EngineSettings.defaults();
		EngineSettings settings = defaultsWith(Map.ofEntries(entry("nodeId", "node-a"), entry("schema", "jobs"),
				entry("defaultOwner", "billing"), entry("workers", 3), entry("pollInterval", Duration.ofSeconds(1)),
				entry("retryDelay", Duration.ofMillis(20)), entry("maxRetryDelay", Duration.ofMinutes(2)),
				entry("resultTtl", Duration.ofDays(1)), entry("cleanInterval", Duration.ofSeconds(9)),
				entry("shutdownTimeout", Duration.ofSeconds(3)), entry("lease", Duration.ofSeconds(4)),
				entry("workerMonitorInterval", Duration.ofSeconds(2)), entry("historyPerTask", 5),
				entry("events", true), entry("queueConcurrency", Map.of("mail", 2)),
				entry("queueGlobalConcurrency", Map.of("partner", 3)),
				entry("queueRateLimits", Map.of("partner", new RateLimit(10, Duration.ofSeconds(1))))));
		// Each value away from its default, so that one the builder dropped would show. Virtual
		// threads are left out: they need Java 21.
		for (RecordComponent component : EngineSettings.class.getRecordComponents()) {
			if (!component.getName().equals("virtualThreads")) {
				assertThat(component.getAccessor().invoke(settings)).as(component.getName())
					.isNotEqualTo(component.getAccessor().invoke(defaults));
			}
		}

		assertThat(settings.toBuilder().build()).isEqualTo(settings);
	}

	@Test
	void boundaryValuesAreAccepted() throws Throwable {
		EngineSettings settings = defaultsWith(Map.of("nodeId", "n".repeat(200), "workers", 1, "pollInterval",
				Duration.ofNanos(1), "retryDelay", Duration.ZERO, "maxRetryDelay", Duration.ZERO, "resultTtl",
				Duration.ofNanos(1), "cleanInterval", Duration.ofNanos(1), "shutdownTimeout", Duration.ZERO));

		assertThat(settings.nodeId()).hasSize(200);
		assertThat(settings.workers()).isOne();
		assertThat(settings.maxRetryDelay()).isZero();
		assertThat(settings.shutdownTimeout()).isZero();
	}

	@ParameterizedTest(name = "{0} = {1}")
	@MethodSource("invalidValues")
	void invalidValueIsRejectedNamingTheSetting(String component, Object value) {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> defaultsWith(Map.of(component, value)))
			.withMessageStartingWith(component + " ")
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo(component))
			.satisfies((ex) -> assertThat(ex.value()).isEqualTo(value));
	}

	static Stream<Arguments> invalidValues() {
		return Stream.of(
				arguments("workers", 0),
				arguments("workers", -8),
				arguments("pollInterval", Duration.ZERO),
				arguments("pollInterval", Duration.ofSeconds(-1)),
				arguments("cleanInterval", Duration.ZERO),
				arguments("cleanInterval", Duration.ofSeconds(-1)),
				arguments("resultTtl", Duration.ZERO),
				arguments("resultTtl", Duration.ofDays(-1)),
				arguments("workerMonitorInterval", Duration.ZERO),
				arguments("lease", Duration.ofMillis(999)),
				arguments("historyPerTask", -1),
				arguments("retryDelay", Duration.ofMillis(-1)),
				// Shorter than the default retry delay of 10s.
				arguments("maxRetryDelay", Duration.ofSeconds(9)),
				arguments("shutdownTimeout", Duration.ofSeconds(-1)),
				arguments("nodeId", " "),
				arguments("nodeId", "n".repeat(201)),
				arguments("defaultOwner", ""));
	}

	@Test
	void queueConcurrencyBelowOneIsRejectedNamingTheQueue() {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> EngineSettings.builder().queueConcurrency(Map.of("mail", 0)).build())
			.withMessage("queueConcurrency of queue 'mail' must be at least 1, was 0")
			.satisfies((ex) -> assertThat(ex.setting()).isEqualTo("queueConcurrency"));
	}

	@Test
	void maxRetryDelayShorterThanRetryDelayNamesBothSettings() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> defaultsWith(
					Map.of("retryDelay", Duration.ofMinutes(2), "maxRetryDelay", Duration.ofMinutes(1))))
			.withMessage("maxRetryDelay must not be shorter than retryDelay (PT2M), was PT1M");
	}

	@Test
	void rejectedValueIsQuotedInTheMessage() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> EngineSettings.builder().pollInterval(Duration.ofMillis(-5)).build())
			.withMessage("pollInterval must be positive, was PT-0.005S");
		assertThatIllegalArgumentException().isThrownBy(() -> EngineSettings.builder().workers(0).build())
			.withMessage("workers must be at least 1, was 0");
	}

	/**
	 * The defaults with some record components replaced, built through the canonical
	 * constructor, so that the tests need no builder call per value and keep compiling as
	 * components are added.
	 */
	private static EngineSettings defaultsWith(Map<String, Object> changes) throws Throwable {
		EngineSettings defaults = EngineSettings.defaults();
		RecordComponent[] components = EngineSettings.class.getRecordComponents();
		assertThat(components).extracting(RecordComponent::getName).containsAll(changes.keySet());
		Class<?>[] types = new Class<?>[components.length];
		Object[] values = new Object[components.length];
		for (int i = 0; i < components.length; i++) {
			String name = components[i].getName();
			types[i] = components[i].getType();
			values[i] = (changes.containsKey(name)) ? changes.get(name) : components[i].getAccessor().invoke(defaults);
		}
		try {
			return EngineSettings.class.getDeclaredConstructor(types).newInstance(values);
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}

}
