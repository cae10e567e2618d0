package dev.autotask.testsupport;

import org.testcontainers.DockerClientFactory;

/**
 * Whether a Docker engine answers, for the tests that fall back to Testcontainers (PostgreSQL,
 * RabbitMQ, a browser) when nothing local serves them.
 */
public final class Docker {

	private Docker() {
	}

	/**
	 * Whether Testcontainers can start containers here.
	 * @return true if a Docker engine answers
	 */
	public static boolean available() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (Throwable ex) {
			return false;
		}
	}

}
