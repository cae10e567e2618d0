package dev.autotask.testsupport;

import org.testcontainers.rabbitmq.RabbitMQContainer;

/**
 * The RabbitMQ server the tests of this JVM share, found the way the tests find PostgreSQL: the
 * local one on {@code 127.0.0.1:5672} (user {@code guest}) if it answers, else a Testcontainers
 * RabbitMQ when a Docker engine answers. Where neither can be had, the test fails and says how to
 * start one; it never skips.
 *
 * @param host the broker's host
 * @param port the broker's AMQP port
 * @param username the user
 * @param password the user's password
 */
public record RabbitBroker(String host, int port, String username, String password) {

	private static final RabbitBroker LOCAL = new RabbitBroker("127.0.0.1", 5672, "guest", "guest");

	private static RabbitBroker shared;

	/**
	 * The broker, found on first use.
	 * @return the broker the tests of this JVM share
	 */
	public static synchronized RabbitBroker get() {
		if (shared == null) {
			shared = find();
			System.err.println("[autotask tests] RabbitMQ on " + shared.host() + ":" + shared.port());
		}
		return shared;
	}

	private static RabbitBroker find() {
		Exception local = LOCAL.probe();
		if (local == null) {
			return LOCAL;
		}
		if (Docker.available()) {
			RabbitMQContainer container = new RabbitMQContainer("rabbitmq:3-management");
			container.start();
			Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
			return new RabbitBroker(container.getHost(), container.getAmqpPort(), container.getAdminUsername(),
					container.getAdminPassword());
		}
		throw new IllegalStateException("The task event tests need RabbitMQ: none answers on 127.0.0.1:5672 with"
				+ " guest/guest (" + local + ") and no Docker engine answers. Start one with"
				+ " 'rabbitmq-server -detached' or 'docker compose up -d'.", local);
	}

	/** Connect once: null if the broker answers, else why not. */
	private Exception probe() {
		com.rabbitmq.client.ConnectionFactory factory = new com.rabbitmq.client.ConnectionFactory();
		factory.setHost(this.host);
		factory.setPort(this.port);
		factory.setUsername(this.username);
		factory.setPassword(this.password);
		factory.setConnectionTimeout(5000);
		try (com.rabbitmq.client.Connection connection = factory.newConnection("autotask-test-probe")) {
			return null;
		}
		catch (Exception ex) {
			return ex;
		}
	}

}
