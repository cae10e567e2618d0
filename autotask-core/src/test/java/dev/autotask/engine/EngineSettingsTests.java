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

import static org.assertj.core.api.Assertions.assertThat;
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
			assertThatIllegalArgumentException().isThrownBy(() -> settings.withVirtualThreads(true))
				.withMessage("Virtual worker threads need Java 21 or later, this is Java " + Runtime.version().feature());
		}
		else {
			EngineSettings virtual = settings.withVirtualThreads(true);
			assertThat(virtual.virtualThreads()).isTrue();
			assertThat(virtual.withWorkers(3).withQueueConcurrency(Map.of("mail", 2)).virtualThreads()).isTrue();
		}
	}

	@Test
	void generatedNodeIdsNameTheJvmAndDifferEachTime() {
		String jvm = ManagementFactory.getRuntimeMXBean().getName();

		assertThat(EngineSettings.defaults().nodeId()).startsWith(jvm + "-").hasSize(jvm.length() + 9);
		assertThat(EngineSettings.generateNodeId()).isNotEqualTo(EngineSettings.generateNodeId());
	}

	@Test
	void withersChangeOnlyTheirOwnValue() {
		EngineSettings defaults = EngineSettings.defaults();

		EngineSettings settings = defaults.withNodeId("node-a")
			.withSchema("jobs")
			.withWorkers(3)
			.withPollInterval(Duration.ofSeconds(1))
			.withRetryDelay(Duration.ofMillis(20))
			.withCleanInterval(Duration.ofSeconds(9));

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
	void boundaryValuesAreAccepted() throws Throwable {
		EngineSettings settings = defaultsWith(Map.of("nodeId", "n".repeat(200), "workers", 1, "pollInterval",
				Duration.ofNanos(1), "retryDelay", Duration.ZERO, "maxRetryDelay", Duration.ZERO, "resultTtl",
				Duration.ofNanos(1), "cleanInterval", Duration.ofNanos(1), "shutdownTimeout", Duration.ZERO));

		assertThat(settings.nodeId()).hasSize(200);
		assertThat(settings.workers()).isOne();
		assertThat(settings.maxRetryDelay()).isZero();
		assertThat(settings.shutdownTimeout()).isZero();
	}

	@ParameterizedTest(name = "{1} = {2}")
	@MethodSource("invalidValues")
	void invalidValueIsRejectedNamingTheProperty(String property, String component, Object value) {
		assertThatIllegalArgumentException().isThrownBy(() -> defaultsWith(Map.of(component, value)))
			.withMessageContaining(property);
	}

	static Stream<Arguments> invalidValues() {
		return Stream.of(
				arguments("autotask.workers", "workers", 0),
				arguments("autotask.workers", "workers", -8),
				arguments("autotask.poll-interval", "pollInterval", Duration.ZERO),
				arguments("autotask.poll-interval", "pollInterval", Duration.ofSeconds(-1)),
				arguments("autotask.clean-interval", "cleanInterval", Duration.ZERO),
				arguments("autotask.clean-interval", "cleanInterval", Duration.ofSeconds(-1)),
				arguments("autotask.result-ttl", "resultTtl", Duration.ZERO),
				arguments("autotask.result-ttl", "resultTtl", Duration.ofDays(-1)),
				arguments("autotask.retry-delay", "retryDelay", Duration.ofMillis(-1)),
				// Shorter than the default retry delay of 10s.
				arguments("autotask.max-retry-delay", "maxRetryDelay", Duration.ofSeconds(9)),
				arguments("autotask.shutdown-timeout", "shutdownTimeout", Duration.ofSeconds(-1)),
				// The next three messages name the value but not its property (autotask.node-id,
				// autotask.owner): see the report that came with these tests.
				arguments("Node id", "nodeId", " "),
				arguments("Node id", "nodeId", "n".repeat(201)),
				arguments("owner", "defaultOwner", ""));
	}

	@Test
	void maxRetryDelayShorterThanRetryDelayNamesBothProperties() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> defaultsWith(
					Map.of("retryDelay", Duration.ofMinutes(2), "maxRetryDelay", Duration.ofMinutes(1))))
			.withMessage("autotask.max-retry-delay (PT1M) is shorter than autotask.retry-delay (PT2M)");
	}

	@Test
	void rejectedValueIsQuotedInTheMessage() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> EngineSettings.defaults().withPollInterval(Duration.ofMillis(-5)))
			.withMessage("autotask.poll-interval must be positive, got PT-0.005S");
		assertThatIllegalArgumentException().isThrownBy(() -> EngineSettings.defaults().withWorkers(0))
			.withMessage("autotask.workers must be at least 1, got 0");
	}

	/**
	 * The defaults with some record components replaced, built through the canonical
	 * constructor, so that the tests need no wither per value and keep compiling as
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
