package dev.autotask.boot.amqp;

import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Locale;

import dev.autotask.TaskError;
import dev.autotask.TaskEvent;
import dev.autotask.TaskEventSink;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.amqp.core.ExchangeTypes;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.Ordered;
import org.springframework.util.Assert;

/**
 * Sends task events to a RabbitMQ topic exchange: one persistent JSON message per event, with
 * routing key {@code {prefix}.{name}.success.v1}, {@code {prefix}.{name}.failure.v1} or
 * {@code {prefix}.{name}.cancelled.v1} ({@code autotask.task} unless configured) and the event's id
 * as message id. A batch counts as
 * sent only once the broker confirmed every message of it; until then the relay keeps it in the
 * outbox and tries again, so a broker outage delays events but loses none.
 *
 * <p>
 * It publishes on a connection factory of its own, with simple publisher confirms, so that the
 * application's own RabbitMQ settings are left as they are. The exchange is declared, durable,
 * with each batch, so that the first event after a broker restart does not depend on it having
 * been declared before.
 */
public final class RabbitTaskEventSink implements TaskEventSink, Ordered, DisposableBean {

	/** How long to wait for the broker to confirm a batch. */
	static final long CONFIRM_TIMEOUT_MILLIS = 10_000;

	private final CachingConnectionFactory connectionFactory;

	private final RabbitTemplate template;

	private final String exchange;

	private final String routingKeyPrefix;

	private final JsonMapper mapper = JsonMapper.builder().build();

	RabbitTaskEventSink(CachingConnectionFactory connectionFactory, String exchange, String routingKeyPrefix) {
		Assert.isTrue(connectionFactory.isSimplePublisherConfirms(),
				"The connection factory must use simple publisher confirms");
		this.connectionFactory = connectionFactory;
		this.template = new RabbitTemplate(connectionFactory);
		this.exchange = exchange;
		this.routingKeyPrefix = routingKeyPrefix;
	}

	@Override
	public void publish(List<TaskEvent> events) {
		this.template.invoke((operations) -> {
			operations.execute((channel) -> channel.exchangeDeclare(this.exchange, ExchangeTypes.TOPIC, true));
			for (TaskEvent event : events) {
				operations.send(this.exchange, routingKey(event), message(event));
			}
			// Throws, and closes the channel, on a nack or when the broker does not answer in time.
			operations.waitForConfirmsOrDie(CONFIRM_TIMEOUT_MILLIS);
			return null;
		});
	}

	/**
	 * The routing key of an event.
	 * @param event the event
	 * @return {@code {prefix}.{name}.success.v1}, {@code {prefix}.{name}.failure.v1} or
	 * {@code {prefix}.{name}.cancelled.v1}
	 */
	String routingKey(TaskEvent event) {
		return this.routingKeyPrefix + "." + event.name() + "." + event.outcome().name().toLowerCase(Locale.ROOT) + ".v1";
	}

	private Message message(TaskEvent event) {
		ObjectNode body = this.mapper.createObjectNode();
		body.put("id", event.taskId());
		body.put("eventId", event.id());
		body.put("name", event.name());
		body.put("owner", event.owner());
		body.put("outcome", event.outcome().name());
		if (event.result() != null) {
			body.set("result", this.mapper.readTree(event.result()));
		}
		else {
			body.putNull("result");
		}
		TaskError error = event.error();
		if (error != null) {
			ObjectNode node = body.putObject("error");
			node.put("type", error.type());
			node.put("message", error.message());
			node.put("stackTrace", error.stackTrace());
		}
		else {
			body.putNull("error");
		}
		body.put("at", event.at().toString());
		MessageProperties properties = new MessageProperties();
		properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
		properties.setContentEncoding(StandardCharsets.UTF_8.name());
		properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
		// Consumers de-duplicate by it: a repeat of an event has the same id.
		properties.setMessageId(Long.toString(event.id()));
		properties.setTimestamp(Date.from(event.at()));
		return new Message(this.mapper.writeValueAsBytes(body), properties);
	}

	@Override
	public int getOrder() {
		return 0;
	}

	@Override
	public void destroy() {
		this.connectionFactory.destroy();
	}

	@Override
	public String toString() {
		return "RabbitMQ exchange '" + this.exchange + "' on " + this.connectionFactory.getHost() + ":"
				+ this.connectionFactory.getPort();
	}

}
