package dev.autotask.sample;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.ExchangeTypes;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.Exchange;
import org.springframework.amqp.rabbit.annotation.Queue;
import org.springframework.amqp.rabbit.annotation.QueueBinding;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.stereotype.Component;

/**
 * With {@code autotask.events.amqp.enabled=true} (and a RabbitMQ, such as the one
 * {@code docker compose up -d} starts), autotask also sends each task event to RabbitMQ. This
 * consumer stands for another service of the shop: it binds a queue of its own to autotask's
 * exchange, for every event, and logs each message as it arrives.
 */
@Component
@ConditionalOnBooleanProperty("autotask.events.amqp.enabled")
class TaskEventQueue {

	private static final Logger logger = LoggerFactory.getLogger(TaskEventQueue.class);

	private final Deque<String> last = new ArrayDeque<>();

	@RabbitListener(bindings = @QueueBinding(
			value = @Queue(name = "${spring.application.name}.task-events", durable = "false", autoDelete = "true"),
			exchange = @Exchange(name = "${autotask.events.amqp.exchange:autotask}", type = ExchangeTypes.TOPIC),
			key = "${autotask.events.amqp.routing-key-prefix:autotask.task}.#"))
	void arrived(Message message) {
		String routingKey = message.getMessageProperties().getReceivedRoutingKey();
		logger.info("Task event on RabbitMQ, routing key {}: {}", routingKey,
				new String(message.getBody(), StandardCharsets.UTF_8));
		synchronized (this.last) {
			this.last.addFirst(routingKey);
			while (this.last.size() > 20) {
				this.last.removeLast();
			}
		}
	}

	/** The routing keys of the last messages that arrived, newest first. */
	List<String> last() {
		synchronized (this.last) {
			return new ArrayList<>(this.last);
		}
	}

}
