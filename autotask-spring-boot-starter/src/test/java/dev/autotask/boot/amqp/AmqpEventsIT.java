package dev.autotask.boot.amqp;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.autotask.Autotask;
import dev.autotask.SendOptions;
import dev.autotask.TaskFailure;
import dev.autotask.TaskHandle;
import dev.autotask.TaskStatus;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.boot.testsupport.AutotaskContextRunners;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.RabbitBroker;
import dev.autotask.testsupport.TcpProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Task events on the real RabbitMQ server at 127.0.0.1:5672: the messages, their routing keys
 * and bodies, and an outage, simulated by a proxy between the application and the broker,
 * during which the events wait in the outbox and after which each arrives exactly once.
 *
 * <p>
 * The broker is the local one, or a Testcontainers one ({@link RabbitBroker}); the test fails,
 * rather than skips, when neither can be had.
 */
class AmqpEventsIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	// Of this run alone: the broker may be shared with other runs.
	private static final String EXCHANGE = "autotask-test-" + UUID.randomUUID();

	private static final JsonMapper mapper = JsonMapper.builder().build();

	private static final List<Message> received = new CopyOnWriteArrayList<>();

	private static RabbitBroker broker;

	private static TcpProxy proxy;

	private static CachingConnectionFactory consumerConnections;

	private static SimpleMessageListenerContainer consumer;

	// Built once the broker and the proxy are up: the application reaches the broker only through the proxy.
	private final ApplicationContextRunner runner = AutotaskContextRunners.application(postgres)
		.withConfiguration(AutoConfigurations.of(RabbitAutoConfiguration.class, AutotaskAmqpAutoConfiguration.class))
		.withPropertyValues("autotask.poll-interval=1m", "autotask.workers=4", "spring.application.name=shop",
				"autotask.events.amqp.enabled=true", "autotask.events.amqp.exchange=" + EXCHANGE,
				"spring.rabbitmq.host=127.0.0.1", "spring.rabbitmq.port=" + proxy.port(),
				"spring.rabbitmq.username=" + broker.username(), "spring.rabbitmq.password=" + broker.password(),
				"spring.rabbitmq.connection-timeout=2s")
		.withUserConfiguration(Config.class);

	@BeforeAll
	static void bindATestQueue() throws IOException {
		broker = RabbitBroker.get();
		proxy = TcpProxy.to(broker.host(), broker.port());
		// The consumer goes straight to the broker: it listens on through the outage.
		consumerConnections = new CachingConnectionFactory(broker.host(), broker.port());
		consumerConnections.setUsername(broker.username());
		consumerConnections.setPassword(broker.password());
		RabbitAdmin admin = new RabbitAdmin(consumerConnections);
		TopicExchange exchange = new TopicExchange(EXCHANGE, true, false);
		admin.declareExchange(exchange);
		Queue queue = admin.declareQueue();
		admin.declareBinding(BindingBuilder.bind(queue).to(exchange).with("autotask.task.#"));
		consumer = new SimpleMessageListenerContainer(consumerConnections);
		consumer.setQueues(queue);
		consumer.setMessageListener(received::add);
		consumer.start();
	}

	@AfterAll
	static void unbind() {
		if (consumer != null) {
			consumer.stop();
			new RabbitAdmin(consumerConnections).deleteExchange(EXCHANGE);
			consumerConnections.destroy();
		}
		if (proxy != null) {
			proxy.close();
		}
	}

	@Test
	void successAndFailureArriveWithTheirRoutingKeysAndBodies() {
		this.runner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			TaskHandle<String> success = reports.rebuild(42);
			TaskHandle<String> failure = reports.refuse(7);

			Map<Long, Message> messages = await().atMost(Duration.ofSeconds(20))
				.until(() -> byTaskId(List.of(success.id(), failure.id())), (found) -> found.size() == 2);

			Message sent = messages.get(success.id());
			assertThat(sent.getMessageProperties().getReceivedRoutingKey())
				.isEqualTo("autotask.task.reports.rebuild.success.v1");
			assertThat(sent.getMessageProperties().getContentType()).isEqualTo("application/json");
			assertThat(sent.getMessageProperties().getReceivedDeliveryMode()).isEqualTo(MessageDeliveryMode.PERSISTENT);
			assertThat(sent.getMessageProperties().getMessageId()).matches("[0-9]+");
			JsonNode body = body(sent);
			assertThat(body.get("id").asLong()).isEqualTo(success.id());
			assertThat(body.get("eventId").asString()).isEqualTo(sent.getMessageProperties().getMessageId());
			assertThat(body.get("name").asString()).isEqualTo("reports.rebuild");
			assertThat(body.get("owner").asString()).isEqualTo("shop");
			assertThat(body.get("outcome").asString()).isEqualTo("SUCCESS");
			assertThat(body.get("result").asString()).isEqualTo("rebuilt customer 42");
			assertThat(body.get("error").isNull()).isTrue();
			assertThat(body.get("at").asString()).isNotBlank();

			Message failed = messages.get(failure.id());
			assertThat(failed.getMessageProperties().getReceivedRoutingKey())
				.isEqualTo("autotask.task.reports.refuse.failure.v1");
			JsonNode failedBody = body(failed);
			assertThat(failedBody.get("outcome").asString()).isEqualTo("FAILURE");
			assertThat(failedBody.get("result").asString()).isEqualTo("customer 7 has no billing address");
			assertThat(failedBody.get("error").get("type").asString()).isEqualTo(TaskFailure.class.getName());
			assertThat(failedBody.get("error").get("message").asString())
				.isEqualTo("customer 7 has no billing address");
		});
	}

	@Test
	void cancelArrivesWithItsRoutingKey() {
		this.runner.run((context) -> {
			Autotask autotask = context.getBean(Autotask.class);
			TaskHandle<Object> waiting = autotask.send("reports.rebuild",
					SendOptions.owner("shop").delay(Duration.ofHours(1)), 3);

			assertThat(autotask.cancel(waiting.id(), "shop")).contains(TaskStatus.CANCELLED);

			Map<Long, Message> messages = await().atMost(Duration.ofSeconds(20))
				.until(() -> byTaskId(List.of(waiting.id())), (found) -> found.size() == 1);
			Message sent = messages.get(waiting.id());
			assertThat(sent.getMessageProperties().getReceivedRoutingKey())
				.isEqualTo("autotask.task.reports.rebuild.cancelled.v1");
			JsonNode body = body(sent);
			assertThat(body.get("outcome").asString()).isEqualTo("CANCELLED");
			assertThat(body.get("result").isNull()).isTrue();
			assertThat(body.get("error").isNull()).isTrue();
		});
	}

	@Test
	void eventsWaitOutABrokerOutageAndThenArriveExactlyOnce() {
		this.runner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			proxy.cut();
			List<Long> ids;
			try {
				List<TaskHandle<String>> handles = IntStream.range(0, 10)
					.mapToObj((n) -> (n % 3 == 0) ? reports.refuse(n) : reports.rebuild(n))
					.toList();
				ids = handles.stream().map(TaskHandle::id).toList();
				// The tasks end as usual; their events wait for the broker.
				await().atMost(Duration.ofSeconds(20))
					.until(() -> handles.stream().allMatch((handle) -> handle.refresh().isReady()));
				assertThat(waiting(ids)).isEqualTo(ids.size());
				assertThat(byTaskId(ids)).isEmpty();
			}
			finally {
				proxy.restore();
			}

			await().atMost(Duration.ofSeconds(30)).until(() -> waiting(ids) == 0);
			// Every event, and no event twice, even a little while later.
			await().during(Duration.ofSeconds(1))
				.atMost(Duration.ofSeconds(5))
				.until(() -> received(ids).size() == ids.size());
			List<Message> messages = received(ids);
			assertThat(messages.stream().map((message) -> message.getMessageProperties().getMessageId()))
				.doesNotHaveDuplicates();
			assertThat(messages.stream().map((message) -> body(message).get("id").asLong()))
				.containsExactlyInAnyOrderElementsOf(ids);
		});
	}

	private static long waiting(List<Long> taskIds) {
		return postgres.jdbc()
			.sql("SELECT count(*) FROM " + postgres.schema() + ".autotask_outbox_event WHERE task_id = ANY(?)")
			.param(taskIds.toArray(Long[]::new))
			.query(Long.class)
			.single();
	}

	private static List<Message> received(List<Long> taskIds) {
		Set<Long> wanted = Set.copyOf(taskIds);
		return received.stream().filter((message) -> wanted.contains(body(message).get("id").asLong())).toList();
	}

	private static Map<Long, Message> byTaskId(List<Long> taskIds) {
		return received(taskIds).stream()
			.collect(Collectors.toMap((message) -> body(message).get("id").asLong(), Function.identity(),
					(first, second) -> first));
	}

	private static JsonNode body(Message message) {
		return mapper.readTree(message.getBody());
	}

	public static class Reports {

		@DelayedTask
		public TaskHandle<String> rebuild(long customerId) {
			return TaskHandle.completed("rebuilt customer " + customerId);
		}

		@DelayedTask
		public TaskHandle<String> refuse(long customerId) {
			throw new TaskFailure("customer " + customerId + " has no billing address");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Reports reports() {
			return new Reports();
		}

	}

}
