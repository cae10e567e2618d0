package dev.autotask.boot.amqp;

import java.util.regex.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.Assert;

/**
 * Configuration properties of task events sent beyond the application.
 */
@ConfigurationProperties("autotask.events")
public class AutotaskEventsProperties {

	private final Amqp amqp = new Amqp();

	public Amqp getAmqp() {
		return this.amqp;
	}

	/**
	 * Settings of task events sent to RabbitMQ.
	 */
	public static class Amqp {

		private static final Pattern ROUTING_KEY_PREFIX = Pattern.compile("[^.#*\\s]+(\\.[^.#*\\s]+)*");

		/**
		 * Whether to send task events to RabbitMQ, on a connection configured by
		 * spring.rabbitmq.*. Needs Spring AMQP on the class path.
		 */
		private boolean enabled;

		/**
		 * Name of the durable topic exchange that task events are sent to; declared if it does
		 * not exist.
		 */
		private String exchange = "autotask";

		/**
		 * First words of each event's routing key, before the task's name and outcome: with
		 * "core.task", the consumers of Lime Task events, bound with core.task.#, get autotask's
		 * too.
		 */
		private String routingKeyPrefix = "autotask.task";

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getExchange() {
			return this.exchange;
		}

		public void setExchange(String exchange) {
			Assert.hasText(exchange, "'exchange' must not be empty");
			this.exchange = exchange;
		}

		public String getRoutingKeyPrefix() {
			return this.routingKeyPrefix;
		}

		public void setRoutingKeyPrefix(String routingKeyPrefix) {
			Assert.isTrue(ROUTING_KEY_PREFIX.matcher(routingKeyPrefix).matches(),
					() -> "'routingKeyPrefix' must be words separated by dots, with no wildcard and no dot at"
							+ " either end, got '" + routingKeyPrefix + "'");
			this.routingKeyPrefix = routingKeyPrefix;
		}

	}

}
