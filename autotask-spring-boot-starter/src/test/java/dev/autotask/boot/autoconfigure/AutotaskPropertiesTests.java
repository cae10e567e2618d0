package dev.autotask.boot.autoconfigure;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;

import dev.autotask.boot.amqp.AutotaskEventsProperties;
import dev.autotask.engine.EngineSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The properties' defaults are the engine's: a property left unset never changes behaviour. A
 * value the engine refuses is reported under the property it was bound from.
 */
class AutotaskPropertiesTests {

	@Test
	void defaultValuesAreConsistentWithTheEngine() {
		AutotaskProperties properties = new AutotaskProperties();
		EngineSettings engine = EngineSettings.defaults();
		assertThat(properties.isEnabled()).isTrue();
		assertThat(properties.getWorkers()).isEqualTo(engine.workers());
		assertThat(properties.getPollInterval()).isEqualTo(engine.pollInterval());
		assertThat(properties.getRetryDelay()).isEqualTo(engine.retryDelay());
		assertThat(properties.getMaxRetryDelay()).isEqualTo(engine.maxRetryDelay());
		assertThat(properties.getResultTtl()).isEqualTo(engine.resultTtl());
		assertThat(properties.getCleanInterval()).isEqualTo(engine.cleanInterval());
		assertThat(properties.getShutdownTimeout()).isEqualTo(engine.shutdownTimeout());
		assertThat(properties.getLease()).isEqualTo(engine.lease());
		assertThat(properties.getWorkerMonitorInterval()).isEqualTo(engine.workerMonitorInterval());
		assertThat(properties.getHistory().getPerTask()).isEqualTo(engine.historyPerTask());
		assertThat(properties.getSchema()).isEqualTo(engine.schema());
		assertThat(properties.getListen().isEnabled()).isTrue();
		assertThat(properties.getListen().getUrl()).isNull();
		assertThat(properties.getFlyway().isEnabled()).isTrue();
		AutotaskEventsProperties events = new AutotaskEventsProperties();
		assertThat(events.getAmqp().isEnabled()).isFalse();
		assertThat(events.getAmqp().getExchange()).isEqualTo("autotask");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("invalidValues")
	void valueTheEngineRefusesIsReportedUnderItsProperty(String property, Consumer<AutotaskProperties> change,
			String setting) {
		AutotaskProperties properties = new AutotaskProperties();
		change.accept(properties);
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class)
			.isThrownBy(() -> new AutotaskAutoConfiguration().autotaskEngineSettings(properties, new MockEnvironment()))
			.satisfies((ex) -> assertThat(ex.getName()).isEqualTo(property))
			.satisfies((ex) -> assertThat(ex.getReason()).startsWith(setting + " "));
	}

	static Stream<Arguments> invalidValues() {
		return Stream.of(invalid("autotask.workers", (properties) -> properties.setWorkers(0), "workers"),
				invalid("autotask.poll-interval", (properties) -> properties.setPollInterval(Duration.ZERO),
						"pollInterval"),
				invalid("autotask.retry-delay", (properties) -> properties.setRetryDelay(Duration.ofSeconds(-1)),
						"retryDelay"),
				invalid("autotask.max-retry-delay", (properties) -> properties.setMaxRetryDelay(Duration.ofSeconds(1)),
						"maxRetryDelay"),
				invalid("autotask.result-ttl", (properties) -> properties.setResultTtl(Duration.ZERO), "resultTtl"),
				invalid("autotask.clean-interval", (properties) -> properties.setCleanInterval(Duration.ZERO),
						"cleanInterval"),
				invalid("autotask.shutdown-timeout",
						(properties) -> properties.setShutdownTimeout(Duration.ofSeconds(-1)), "shutdownTimeout"),
				invalid("autotask.lease", (properties) -> properties.setLease(Duration.ZERO), "lease"),
				invalid("autotask.worker-monitor-interval",
						(properties) -> properties.setWorkerMonitorInterval(Duration.ZERO), "workerMonitorInterval"),
				invalid("autotask.history.per-task", (properties) -> properties.getHistory().setPerTask(-1),
						"historyPerTask"),
				invalid("autotask.owner", (properties) -> properties.setOwner("o".repeat(201)), "defaultOwner"),
				invalid("autotask.node-id", (properties) -> properties.setNodeId("n".repeat(201)), "nodeId"),
				invalid("autotask.queues", (properties) -> {
					AutotaskProperties.Queue queue = new AutotaskProperties.Queue();
					queue.setConcurrency(0);
					properties.getQueues().put("mail", queue);
				}, "queueConcurrency"),
				invalid("autotask.queues", (properties) -> {
					AutotaskProperties.Queue queue = new AutotaskProperties.Queue();
					queue.setGlobalConcurrency(0);
					properties.getQueues().put("partner", queue);
				}, "queueGlobalConcurrency"));
	}

	private static Arguments invalid(String property, Consumer<AutotaskProperties> change, String setting) {
		return arguments(property, change, setting);
	}

}
