package dev.autotask.engine;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * How one node's engine runs. Every value has a default here, which the starter's
 * {@code autotask.*} properties mirror.
 *
 * @param nodeId this node's id, unique among the nodes sharing the database
 * @param schema the schema of autotask's tables, or {@code null} for the connection's default
 * @param defaultOwner the owner of tasks started without one
 * @param workers worker threads on this node
 * @param pollInterval the longest wait between two looks at the queue when no notification
 * arrives
 * @param retryDelay the wait after a first failed attempt, doubled after each further one
 * @param maxRetryDelay the longest wait between attempts
 * @param resultTtl how long an ended task's outcome is kept when its task sets no TTL
 * @param cleanInterval how often ended tasks past their TTL are deleted
 * @param shutdownTimeout how long stopping waits for running tasks to finish
 */
public record EngineSettings(String nodeId, @Nullable String schema, String defaultOwner, int workers,
		Duration pollInterval, Duration retryDelay, Duration maxRetryDelay, Duration resultTtl, Duration cleanInterval,
		Duration shutdownTimeout) {

	/** Default owner. */
	public static final String DEFAULT_OWNER = "default";

	/** Default worker threads per node. */
	public static final int DEFAULT_WORKERS = 8;

	/** Default poll interval. */
	public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);

	/** Default first retry delay. */
	public static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(10);

	/** Default longest retry delay. */
	public static final Duration DEFAULT_MAX_RETRY_DELAY = Duration.ofHours(1);

	/** Default result TTL. */
	public static final Duration DEFAULT_RESULT_TTL = Duration.ofDays(7);

	/** Default clean interval. */
	public static final Duration DEFAULT_CLEAN_INTERVAL = Duration.ofMinutes(1);

	/** Default shutdown timeout. */
	public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

	public EngineSettings {
		if (nodeId.isBlank() || nodeId.length() > 200) {
			throw new IllegalArgumentException("Node id must be 1 to 200 characters, got '" + nodeId + "'");
		}
		if (defaultOwner.isBlank()) {
			throw new IllegalArgumentException("Default owner must not be blank");
		}
		if (workers < 1) {
			throw new IllegalArgumentException("autotask.workers must be at least 1, got " + workers);
		}
		requirePositive("autotask.poll-interval", pollInterval);
		requirePositive("autotask.clean-interval", cleanInterval);
		requirePositive("autotask.result-ttl", resultTtl);
		if (retryDelay.isNegative()) {
			throw new IllegalArgumentException("autotask.retry-delay must not be negative, got " + retryDelay);
		}
		if (maxRetryDelay.compareTo(retryDelay) < 0) {
			throw new IllegalArgumentException(
					"autotask.max-retry-delay (" + maxRetryDelay + ") is shorter than autotask.retry-delay (" + retryDelay + ")");
		}
		if (shutdownTimeout.isNegative()) {
			throw new IllegalArgumentException("autotask.shutdown-timeout must not be negative, got " + shutdownTimeout);
		}
	}

	/**
	 * The defaults, with a generated node id.
	 * @return the settings
	 */
	public static EngineSettings defaults() {
		return new EngineSettings(generateNodeId(), null, DEFAULT_OWNER, DEFAULT_WORKERS, DEFAULT_POLL_INTERVAL,
				DEFAULT_RETRY_DELAY, DEFAULT_MAX_RETRY_DELAY, DEFAULT_RESULT_TTL, DEFAULT_CLEAN_INTERVAL,
				DEFAULT_SHUTDOWN_TIMEOUT);
	}

	/**
	 * A node id made of the JVM's name ({@code pid@host}) and a random suffix, so that a node
	 * restarted with the same pid is still a new node.
	 * @return the id
	 */
	public static String generateNodeId() {
		return ManagementFactory.getRuntimeMXBean().getName() + "-" + UUID.randomUUID().toString().substring(0, 8);
	}

	/**
	 * A copy with another node id.
	 * @param nodeId the id
	 * @return the copy
	 */
	public EngineSettings withNodeId(String nodeId) {
		return new EngineSettings(nodeId, this.schema, this.defaultOwner, this.workers, this.pollInterval,
				this.retryDelay, this.maxRetryDelay, this.resultTtl, this.cleanInterval, this.shutdownTimeout);
	}

	/**
	 * A copy with another schema.
	 * @param schema the schema
	 * @return the copy
	 */
	public EngineSettings withSchema(@Nullable String schema) {
		return new EngineSettings(this.nodeId, schema, this.defaultOwner, this.workers, this.pollInterval,
				this.retryDelay, this.maxRetryDelay, this.resultTtl, this.cleanInterval, this.shutdownTimeout);
	}

	/**
	 * A copy with another number of workers.
	 * @param workers the worker threads
	 * @return the copy
	 */
	public EngineSettings withWorkers(int workers) {
		return new EngineSettings(this.nodeId, this.schema, this.defaultOwner, workers, this.pollInterval,
				this.retryDelay, this.maxRetryDelay, this.resultTtl, this.cleanInterval, this.shutdownTimeout);
	}

	/**
	 * A copy with another poll interval.
	 * @param pollInterval the interval
	 * @return the copy
	 */
	public EngineSettings withPollInterval(Duration pollInterval) {
		return new EngineSettings(this.nodeId, this.schema, this.defaultOwner, this.workers, pollInterval,
				this.retryDelay, this.maxRetryDelay, this.resultTtl, this.cleanInterval, this.shutdownTimeout);
	}

	/**
	 * A copy with another first retry delay.
	 * @param retryDelay the delay
	 * @return the copy
	 */
	public EngineSettings withRetryDelay(Duration retryDelay) {
		return new EngineSettings(this.nodeId, this.schema, this.defaultOwner, this.workers, this.pollInterval,
				retryDelay, this.maxRetryDelay, this.resultTtl, this.cleanInterval, this.shutdownTimeout);
	}

	/**
	 * A copy with another clean interval.
	 * @param cleanInterval the interval
	 * @return the copy
	 */
	public EngineSettings withCleanInterval(Duration cleanInterval) {
		return new EngineSettings(this.nodeId, this.schema, this.defaultOwner, this.workers, this.pollInterval,
				this.retryDelay, this.maxRetryDelay, this.resultTtl, cleanInterval, this.shutdownTimeout);
	}

	private static void requirePositive(String property, Duration value) {
		if (value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException(property + " must be positive, got " + value);
		}
	}

}
