package dev.autotask.boot.amqp;

import java.time.Instant;
import java.util.List;

import dev.autotask.TaskEvent;
import dev.autotask.TaskStatus;
import dev.autotask.boot.autoconfigure.EngineLifecycle;
import dev.autotask.boot.events.ApplicationEventSink;
import dev.autotask.boot.testsupport.AutotaskContextRunners;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.amqp.autoconfigure.RabbitConnectionDetails;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When task events go to RabbitMQ, and when they do not. No event is sent here: nothing
 * connects to a broker.
 */
class AutotaskAmqpAutoConfigurationIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	private final ApplicationContextRunner runner = AutotaskContextRunners.application(postgres)
		.withConfiguration(AutoConfigurations.of(RabbitAutoConfiguration.class, AutotaskAmqpAutoConfiguration.class));

	@Test
	void offByDefault() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(ApplicationEventSink.class)
			.doesNotHaveBean(RabbitTaskEventSink.class)
			.doesNotHaveBean(TopicExchange.class));
	}

	@Test
	void enabledDeclaresTheExchangeAndTheSink() {
		this.runner.withPropertyValues("autotask.events.amqp.enabled=true", "autotask.events.amqp.exchange=shop-events")
			.run((context) -> {
				assertThat(context).hasSingleBean(RabbitTaskEventSink.class).hasSingleBean(EngineLifecycle.class);
				TopicExchange exchange = context.getBean("autotaskExchange", TopicExchange.class);
				assertThat(exchange.getName()).isEqualTo("shop-events");
				assertThat(exchange.isDurable()).isTrue();
				assertThat(exchange.isAutoDelete()).isFalse();
				assertThat(context.getBean(RabbitTaskEventSink.class)).hasToString(
						"RabbitMQ exchange 'shop-events' on localhost:5672");
			});
	}

	@Test
	void routingKeysStartWithTheConfiguredPrefix() {
		TaskEvent event = new TaskEvent(1, 2, "reports.rebuild", "shop", TaskStatus.SUCCESS, null, null, Instant.now());
		this.runner.withPropertyValues("autotask.events.amqp.enabled=true")
			.run((context) -> assertThat(context.getBean(RabbitTaskEventSink.class).routingKey(event))
				.isEqualTo("autotask.task.reports.rebuild.success.v1"));
		this.runner.withPropertyValues("autotask.events.amqp.enabled=true",
				"autotask.events.amqp.routing-key-prefix=core.task")
			.run((context) -> assertThat(context.getBean(RabbitTaskEventSink.class).routingKey(event))
				.isEqualTo("core.task.reports.rebuild.success.v1"));
	}

	@Test
	void prefixThatIsNotPlainWordsFailsTheStartNamingIt() {
		for (String prefix : List.of("core.#", "core.task.", ".core", "core..task", "core *")) {
			this.runner.withPropertyValues("autotask.events.amqp.enabled=true",
					"autotask.events.amqp.routing-key-prefix=" + prefix)
				.run((context) -> assertThat(context).getFailure()
					.rootCause()
					.hasMessageContaining("'routingKeyPrefix' must be words separated by dots")
					.hasMessageContaining(prefix));
		}
	}

	@Test
	void sinkConnectsWhereTheConnectionDetailsSayAsAServiceConnectionRegistersThem() {
		// What @ServiceConnection on a Testcontainers RabbitMQ gives an application: a
		// RabbitConnectionDetails bean, which wins over spring.rabbitmq.*.
		RabbitConnectionDetails details = () -> List.of(new RabbitConnectionDetails.Address("rabbit.test", 5999));
		this.runner.withPropertyValues("autotask.events.amqp.enabled=true", "spring.rabbitmq.port=5672")
			.withBean(RabbitConnectionDetails.class, () -> details)
			.run((context) -> assertThat(context.getBean(RabbitTaskEventSink.class))
				.hasToString("RabbitMQ exchange 'autotask' on rabbit.test:5999"));
	}

	@Test
	void backsOffWithoutSpringAmqp() {
		this.runner.withPropertyValues("autotask.events.amqp.enabled=true")
			.withClassLoader(new FilteredClassLoader(RabbitTemplate.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(EngineLifecycle.class)
				.doesNotHaveBean(RabbitTaskEventSink.class));
	}

	@Test
	void backsOffWithoutTheEngine() {
		this.runner.withPropertyValues("autotask.events.amqp.enabled=true", "autotask.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(RabbitTaskEventSink.class)
				.doesNotHaveBean(ApplicationEventSink.class));
	}

	@Test
	void failsNamingWhatIsMissingWithoutBootsRabbitConfiguration() {
		AutotaskContextRunners.application(postgres)
			.withConfiguration(AutoConfigurations.of(AutotaskAmqpAutoConfiguration.class))
			.withPropertyValues("autotask.events.amqp.enabled=true")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining(
						"autotask.events.amqp.enabled=true needs Spring Boot's RabbitMQ auto-configuration"));
	}

}
