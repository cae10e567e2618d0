package dev.autotask.engine;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
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
 * @param lease how long the leader's lease lasts without renewal; it renews every third of it
 * @param workerMonitorInterval how often this node heartbeats; it counts as dead after two missed
 * intervals, and its running tasks are handed back
 * @param historyPerTask ended runs of each task kept even past their TTL, for the history
 * @param events whether a task's end is written to the outbox, for a relay to publish
 * @param queueConcurrency queues with worker threads of their own, by name; every other queue
 * shares the {@code workers}
 * @param virtualThreads whether workers are virtual threads (Java 21 or later); their number,
 * and so how many tasks run at once, stays the same
 */
public record EngineSettings(String nodeId, @Nullable String schema, String defaultOwner, int workers, Duration pollInterval, Duration retryDelay, Duration maxRetryDelay, Duration resultTtl, Duration cleanInterval, Duration shutdownTimeout, Duration lease, Duration workerMonitorInterval, int historyPerTask, boolean events,
		Map<String, Integer> queueConcurrency, boolean virtualThreads) {

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

	/** Default leader lease. */
	public static final Duration DEFAULT_LEASE = Duration.ofSeconds(15);

	/** Default heartbeat interval. */
	public static final Duration DEFAULT_WORKER_MONITOR_INTERVAL = Duration.ofSeconds(5);

	/** Default runs kept per task. */
	public static final int DEFAULT_HISTORY_PER_TASK = 10;

	public EngineSettings {
		if (nodeId.isBlank() || nodeId.length() > 200) {
			throw new IllegalArgumentException("Node id must be 1 to 200 characters, got '" + nodeId + "'");
		}
		if (defaultOwner.isBlank() || defaultOwner.length() > 200) {
			throw new IllegalArgumentException("autotask.owner must be 1 to 200 characters, got '" + defaultOwner + "'");
		}
		if (workers < 1) {
			throw new IllegalArgumentException("autotask.workers must be at least 1, got " + workers);
		}
		if (historyPerTask < 0) {
			throw new IllegalArgumentException("autotask.history.per-task must not be negative, got " + historyPerTask);
		}
		queueConcurrency.forEach((queue, concurrency) -> {
			if (concurrency == null || concurrency < 1) {
				throw new IllegalArgumentException(
						"autotask.queues." + queue + ".concurrency must be at least 1, got " + concurrency);
			}
		});
		queueConcurrency = Map.copyOf(queueConcurrency);
		requirePositive("autotask.poll-interval", pollInterval);
		requirePositive("autotask.clean-interval", cleanInterval);
		requirePositive("autotask.result-ttl", resultTtl);
		requirePositive("autotask.worker-monitor-interval", workerMonitorInterval);
		if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
			throw new IllegalArgumentException("autotask.lease must be at least 1s, got " + lease);
		}
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
		if (virtualThreads && Runtime.version().feature() < 21) {
			throw new IllegalArgumentException(
					"Virtual worker threads need Java 21 or later, this is Java " + Runtime.version().feature());
		}
	}

	/**
	 * Settings with platform worker threads.
	 * @param nodeId this node's id
	 * @param schema the schema of autotask's tables, or {@code null}
	 * @param defaultOwner the owner of tasks started without one
	 * @param workers worker threads on this node
	 * @param pollInterval the longest wait between two looks at the queue
	 * @param retryDelay the wait after a first failed attempt
	 * @param maxRetryDelay the longest wait between attempts
	 * @param resultTtl how long an ended task's outcome is kept
	 * @param cleanInterval how often ended tasks past their TTL are deleted
	 * @param shutdownTimeout how long stopping waits for running tasks
	 * @param lease how long the leader's lease lasts without renewal
	 * @param workerMonitorInterval how often this node heartbeats
	 * @param historyPerTask ended runs of each task kept even past their TTL
	 * @param events whether a task's end is written to the outbox
	 * @param queueConcurrency queues with worker threads of their own, by name
	 */
	public EngineSettings(String nodeId, @Nullable String schema, String defaultOwner, int workers,
			Duration pollInterval, Duration retryDelay, Duration maxRetryDelay, Duration resultTtl,
			Duration cleanInterval, Duration shutdownTimeout, Duration lease, Duration workerMonitorInterval,
			int historyPerTask, boolean events, Map<String, Integer> queueConcurrency) {
		this(nodeId, schema, defaultOwner, workers, pollInterval, retryDelay, maxRetryDelay, resultTtl, cleanInterval,
				shutdownTimeout, lease, workerMonitorInterval, historyPerTask, events, queueConcurrency, false);
	}

	/**
	 * The defaults, with a generated node id.
	 * @return the settings
	 */
	public static EngineSettings defaults() {
		return new EngineSettings(generateNodeId(), null, DEFAULT_OWNER, DEFAULT_WORKERS, DEFAULT_POLL_INTERVAL,
				DEFAULT_RETRY_DELAY, DEFAULT_MAX_RETRY_DELAY, DEFAULT_RESULT_TTL, DEFAULT_CLEAN_INTERVAL,
				DEFAULT_SHUTDOWN_TIMEOUT, DEFAULT_LEASE, DEFAULT_WORKER_MONITOR_INTERVAL, DEFAULT_HISTORY_PER_TASK, false,
				Map.of());
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
	 * How long a node counts as alive after its last heartbeat.
	 * @return two heartbeat intervals
	 */
	public Duration nodeTtl() {
		return this.workerMonitorInterval.multipliedBy(2);
	}

	/**
	 * A copy with another nodeId.
	 * @param nodeId the new value
	 * @return the copy
	 */
	public EngineSettings withNodeId(String nodeId) {
		return new EngineSettings(nodeId, this.schema, this.defaultOwner, this.workers, this.pollInterval, this.retryDelay, this.maxRetryDelay, this.resultTtl, this.cleanInterval, this.shutdownTimeout, this.lease, this.workerMonitorInterval, this.historyPerTask, this.events,
				this.queueConcurrency, this.virtualThreads);
	}

	/**
	 * A copy with another schema.
	 * @param schema the new value
	 * @return the copy
	 */
	public EngineSettings withSchema(@Nullable String schema) {
		return new EngineSettings(this.nodeId, schema, this.defaultOwner, this.workers, this.pollInterval, this.retryDelay, this.maxRetryDelay, this.resultTtl, this.cleanInterval, this.shutdownTimeout, this.lease, this.workerMonitorInterval, this.historyPerTask, this.events,
				this.queueConcurrency, this.virtualThreads);
	}

	/**
	 * A copy with another workers.
	 * @param workers the new value
	 * @return the copy
	 */
	public EngineSettings withWorkers(int workers) {
		return new EngineSettings(this.nodeId, this.schema, this.defaultOwner, workers, this.pollInterval, this.retryDelay, this.maxRetryDelay, this.resultTtl, this.cleanInterval, this.shutdownTimeout, this.lease, this.workerMonitorInterval, this.historyPerTask, this.events,
				this.queueConcurrency, this.virtualThreads);
	}

	/**
	 * A copy with another pollInterval.
	 * @param pollInterval the new value
	 * @return the copy
	 */
	public EngineSettings withPollInterval(Duration pollInterval) {
		return new EngineSettings(this.nodeId, this.schema, this.defaultOwner, this.workers, pollInterval, this.retryDelay, this.maxRetryDelay, this.resultTtl, this.cleanInterval, this.shutdownTimeout, this.lease, this.workerMonitorInterval, this.historyPerTask, this.events,
				this.queueConcurrency, this.virtualThreads);
	}

	/**
	 * A copy with another retryDelay.
	 * @param retryDelay the new value
	 * @return the copy
	 */
	public EngineSettings withRetryDelay(Duration retryDelay) {
		return new EngineSettings(this.nodeId, this.schema, this.defaultOwner, this.workers, this.pollInterval, retryDelay, this.maxRetryDelay, this.resultTtl, this.cleanInterval, this.shutdownTimeout, this.lease, this.workerMonitorInterval, this.historyPerTask, this.events,
				this.queueConcurrency, this.virtualThreads);
	}

	/**
	 * A copy with another cleanInterval.
	 * @param cleanInterval the new value
	 * @return the copy
	 */
	public EngineSettings withCleanInterval(Duration cleanInterval) {
		return new EngineSettings(this.nodeId, this.schema, this.defaultOwner, this.workers, this.pollInterval, this.retryDelay, this.maxRetryDelay, this.resultTtl, cleanInterval, this.shutdownTimeout, this.lease, this.workerMonitorInterval, this.historyPerTask, this.events,
				this.queueConcurrency, this.virtualThreads);
	}

	/**
	 * A copy with another lease.
	 * @param lease the new value
	 * @return the copy
	 */
	public EngineSettings withLease(Duration lease) {
		return new EngineSettings(this.nodeId, this.schema, this.defaultOwner, this.workers, this.pollInterval, this.retryDelay, this.maxRetryDelay, this.resultTtl, this.cleanInterval, this.shutdownTimeout, lease, this.workerMonitorInterval, this.historyPerTask, this.events,
				this.queueConcurrency, this.virtualThreads);
	}

	/**
	 * A copy with another workerMonitorInterval.
	 * @param workerMonitorInterval the new value
	 * @return the copy
	 */
	public EngineSettings withWorkerMonitorInterval(Duration workerMonitorInterval) {
		return new EngineSettings(this.nodeId, this.schema, this.defaultOwner, this.workers, this.pollInterval, this.retryDelay, this.maxRetryDelay, this.resultTtl, this.cleanInterval, this.shutdownTimeout, this.lease, workerMonitorInterval, this.historyPerTask, this.events,
				this.queueConcurrency, this.virtualThreads);
	}

	/**
	 * A copy with another historyPerTask.
	 * @param historyPerTask the new value
	 * @return the copy
	 */
	public EngineSettings withHistoryPerTask(int historyPerTask) {
		return new EngineSettings(this.nodeId, this.schema, this.defaultOwner, this.workers, this.pollInterval, this.retryDelay, this.maxRetryDelay, this.resultTtl, this.cleanInterval, this.shutdownTimeout, this.lease, this.workerMonitorInterval, historyPerTask, this.events,
				this.queueConcurrency, this.virtualThreads);
	}

	/**
	 * A copy with another shutdownTimeout.
	 * @param shutdownTimeout the new value
	 * @return the copy
	 */
	public EngineSettings withShutdownTimeout(Duration shutdownTimeout) {
		return new EngineSettings(this.nodeId, this.schema, this.defaultOwner, this.workers, this.pollInterval, this.retryDelay, this.maxRetryDelay, this.resultTtl, this.cleanInterval, shutdownTimeout, this.lease, this.workerMonitorInterval, this.historyPerTask, this.events,
				this.queueConcurrency, this.virtualThreads);
	}

	/**
	 * A copy with another defaultOwner.
	 * @param defaultOwner the new value
	 * @return the copy
	 */
	public EngineSettings withDefaultOwner(String defaultOwner) {
		return new EngineSettings(this.nodeId, this.schema, defaultOwner, this.workers, this.pollInterval, this.retryDelay, this.maxRetryDelay, this.resultTtl, this.cleanInterval, this.shutdownTimeout, this.lease, this.workerMonitorInterval, this.historyPerTask, this.events,
				this.queueConcurrency, this.virtualThreads);
	}

	/**
	 * A copy with events on or off.
	 * @param events whether to write events to the outbox
	 * @return the copy
	 */
	public EngineSettings withEvents(boolean events) {
		return new EngineSettings(this.nodeId, this.schema, this.defaultOwner, this.workers, this.pollInterval,
				this.retryDelay, this.maxRetryDelay, this.resultTtl, this.cleanInterval, this.shutdownTimeout, this.lease,
				this.workerMonitorInterval, this.historyPerTask, events, this.queueConcurrency, this.virtualThreads);
	}

	/**
	 * A copy with queues of their own.
	 * @param queueConcurrency worker threads per queue
	 * @return the copy
	 */
	public EngineSettings withQueueConcurrency(Map<String, Integer> queueConcurrency) {
		return new EngineSettings(this.nodeId, this.schema, this.defaultOwner, this.workers, this.pollInterval,
				this.retryDelay, this.maxRetryDelay, this.resultTtl, this.cleanInterval, this.shutdownTimeout, this.lease,
				this.workerMonitorInterval, this.historyPerTask, this.events, queueConcurrency, this.virtualThreads);
	}

	/**
	 * A copy with virtual worker threads or platform ones.
	 * @param virtualThreads whether workers are virtual threads
	 * @return the copy
	 * @throws IllegalArgumentException if virtual threads are asked for before Java 21
	 */
	public EngineSettings withVirtualThreads(boolean virtualThreads) {
		return new EngineSettings(this.nodeId, this.schema, this.defaultOwner, this.workers, this.pollInterval,
				this.retryDelay, this.maxRetryDelay, this.resultTtl, this.cleanInterval, this.shutdownTimeout, this.lease,
				this.workerMonitorInterval, this.historyPerTask, this.events, this.queueConcurrency, virtualThreads);
	}

	private static void requirePositive(String property, Duration value) {
		if (value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException(property + " must be positive, got " + value);
		}
	}

}
