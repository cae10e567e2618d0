package dev.autotask.engine;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * How one node's engine runs. Every value has a default here, which the starter's
 * {@code autotask.*} properties mirror. Built with {@link #builder()}, or from other settings
 * with {@link #toBuilder()}:
 * <pre class="code">
 * EngineSettings settings = EngineSettings.builder()
 *     .schema("jobs")
 *     .workers(4)
 *     .pollInterval(Duration.ofSeconds(1))
 *     .build();
 * EngineSettings other = settings.toBuilder().nodeId("node-b").build();
 * </pre>
 * A value out of range is refused with an {@link InvalidSettingException} that names the
 * setting as its builder method does.
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
 * @param queueGlobalConcurrency queues limited across the cluster, by name: at most that many of
 * the queue's tasks run at once on all the nodes of one database together
 * @param queueRateLimits queues whose starts are limited across the cluster, by name
 */
public record EngineSettings(String nodeId, @Nullable String schema, String defaultOwner, int workers,
		Duration pollInterval, Duration retryDelay, Duration maxRetryDelay, Duration resultTtl,
		Duration cleanInterval, Duration shutdownTimeout, Duration lease, Duration workerMonitorInterval,
		int historyPerTask, boolean events, Map<String, Integer> queueConcurrency, boolean virtualThreads,
		Map<String, Integer> queueGlobalConcurrency, Map<String, RateLimit> queueRateLimits) {

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

	/**
	 * Checks every value, so that settings built any way are valid.
	 * @throws InvalidSettingException naming the first setting out of range
	 */
	public EngineSettings {
		requireLength("nodeId", nodeId);
		requireLength("defaultOwner", defaultOwner);
		if (workers < 1) {
			throw new InvalidSettingException("workers", workers, "workers must be at least 1, was " + workers);
		}
		if (historyPerTask < 0) {
			throw new InvalidSettingException("historyPerTask", historyPerTask,
					"historyPerTask must not be negative, was " + historyPerTask);
		}
		queueConcurrency.forEach((queue, concurrency) -> {
			if (concurrency == null || concurrency < 1) {
				throw new InvalidSettingException("queueConcurrency", concurrency,
						"queueConcurrency of queue '" + queue + "' must be at least 1, was " + concurrency);
			}
		});
		queueConcurrency = Map.copyOf(queueConcurrency);
		queueGlobalConcurrency.forEach((queue, concurrency) -> {
			if (concurrency == null || concurrency < 1) {
				throw new InvalidSettingException("queueGlobalConcurrency", concurrency,
						"queueGlobalConcurrency of queue '" + queue + "' must be at least 1, was " + concurrency);
			}
		});
		queueGlobalConcurrency = Map.copyOf(queueGlobalConcurrency);
		queueRateLimits = Map.copyOf(queueRateLimits);
		requirePositive("pollInterval", pollInterval);
		requirePositive("cleanInterval", cleanInterval);
		requirePositive("resultTtl", resultTtl);
		requirePositive("workerMonitorInterval", workerMonitorInterval);
		if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
			throw new InvalidSettingException("lease", lease, "lease must be at least 1s, was " + lease);
		}
		if (retryDelay.isNegative()) {
			throw new InvalidSettingException("retryDelay", retryDelay,
					"retryDelay must not be negative, was " + retryDelay);
		}
		if (maxRetryDelay.compareTo(retryDelay) < 0) {
			throw new InvalidSettingException("maxRetryDelay", maxRetryDelay,
					"maxRetryDelay must not be shorter than retryDelay (" + retryDelay + "), was " + maxRetryDelay);
		}
		if (shutdownTimeout.isNegative()) {
			throw new InvalidSettingException("shutdownTimeout", shutdownTimeout,
					"shutdownTimeout must not be negative, was " + shutdownTimeout);
		}
		if (virtualThreads && Runtime.version().feature() < 21) {
			throw new InvalidSettingException("virtualThreads", true,
					"virtualThreads needs Java 21 or later, this is Java " + Runtime.version().feature());
		}
	}

	/**
	 * The defaults, with a generated node id.
	 * @return the settings
	 */
	public static EngineSettings defaults() {
		return builder().build();
	}

	/**
	 * Start from the defaults, with a generated node id.
	 * @return the builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Start from these settings.
	 * @return a builder holding every value of these settings
	 */
	public Builder toBuilder() {
		return new Builder(this);
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

	private static void requireLength(String setting, String value) {
		if (value.isBlank() || value.length() > 200) {
			throw new InvalidSettingException(setting, value,
					setting + " must be 1 to 200 characters, was '" + value + "'");
		}
	}

	private static void requirePositive(String setting, Duration value) {
		if (value.isNegative() || value.isZero()) {
			throw new InvalidSettingException(setting, value, setting + " must be positive, was " + value);
		}
	}

	/**
	 * Builds {@link EngineSettings}, each method named for the component it sets. Values are
	 * checked when the settings are built.
	 */
	public static final class Builder {

		private String nodeId;

		private @Nullable String schema;

		private String defaultOwner = DEFAULT_OWNER;

		private int workers = DEFAULT_WORKERS;

		private Duration pollInterval = DEFAULT_POLL_INTERVAL;

		private Duration retryDelay = DEFAULT_RETRY_DELAY;

		private Duration maxRetryDelay = DEFAULT_MAX_RETRY_DELAY;

		private Duration resultTtl = DEFAULT_RESULT_TTL;

		private Duration cleanInterval = DEFAULT_CLEAN_INTERVAL;

		private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;

		private Duration lease = DEFAULT_LEASE;

		private Duration workerMonitorInterval = DEFAULT_WORKER_MONITOR_INTERVAL;

		private int historyPerTask = DEFAULT_HISTORY_PER_TASK;

		private boolean events;

		private Map<String, Integer> queueConcurrency = Map.of();

		private Map<String, Integer> queueGlobalConcurrency = Map.of();

		private Map<String, RateLimit> queueRateLimits = Map.of();

		private boolean virtualThreads;

		private Builder() {
			this.nodeId = generateNodeId();
		}

		private Builder(EngineSettings settings) {
			this.nodeId = settings.nodeId;
			this.schema = settings.schema;
			this.defaultOwner = settings.defaultOwner;
			this.workers = settings.workers;
			this.pollInterval = settings.pollInterval;
			this.retryDelay = settings.retryDelay;
			this.maxRetryDelay = settings.maxRetryDelay;
			this.resultTtl = settings.resultTtl;
			this.cleanInterval = settings.cleanInterval;
			this.shutdownTimeout = settings.shutdownTimeout;
			this.lease = settings.lease;
			this.workerMonitorInterval = settings.workerMonitorInterval;
			this.historyPerTask = settings.historyPerTask;
			this.events = settings.events;
			this.queueConcurrency = settings.queueConcurrency;
			this.queueGlobalConcurrency = settings.queueGlobalConcurrency;
			this.queueRateLimits = settings.queueRateLimits;
			this.virtualThreads = settings.virtualThreads;
		}

		/**
		 * This node's id, unique among the nodes sharing the database; 1 to 200 characters.
		 * @param nodeId the id
		 * @return this builder
		 */
		public Builder nodeId(String nodeId) {
			this.nodeId = nodeId;
			return this;
		}

		/**
		 * The schema of autotask's tables.
		 * @param schema the schema, or {@code null} for the connection's default
		 * @return this builder
		 */
		public Builder schema(@Nullable String schema) {
			this.schema = schema;
			return this;
		}

		/**
		 * The owner of tasks started without one; 1 to 200 characters.
		 * @param defaultOwner the owner
		 * @return this builder
		 */
		public Builder defaultOwner(String defaultOwner) {
			this.defaultOwner = defaultOwner;
			return this;
		}

		/**
		 * Worker threads on this node, shared by every queue without threads of its own.
		 * @param workers at least 1
		 * @return this builder
		 */
		public Builder workers(int workers) {
			this.workers = workers;
			return this;
		}

		/**
		 * The longest wait between two looks at the queue when no notification arrives.
		 * @param pollInterval a positive duration
		 * @return this builder
		 */
		public Builder pollInterval(Duration pollInterval) {
			this.pollInterval = pollInterval;
			return this;
		}

		/**
		 * The wait after a first failed attempt, doubled after each further one.
		 * @param retryDelay zero or more
		 * @return this builder
		 */
		public Builder retryDelay(Duration retryDelay) {
			this.retryDelay = retryDelay;
			return this;
		}

		/**
		 * The longest wait between attempts.
		 * @param maxRetryDelay no shorter than the retry delay
		 * @return this builder
		 */
		public Builder maxRetryDelay(Duration maxRetryDelay) {
			this.maxRetryDelay = maxRetryDelay;
			return this;
		}

		/**
		 * How long an ended task's outcome is kept when its task sets no TTL.
		 * @param resultTtl a positive duration
		 * @return this builder
		 */
		public Builder resultTtl(Duration resultTtl) {
			this.resultTtl = resultTtl;
			return this;
		}

		/**
		 * How often ended tasks past their TTL are deleted.
		 * @param cleanInterval a positive duration
		 * @return this builder
		 */
		public Builder cleanInterval(Duration cleanInterval) {
			this.cleanInterval = cleanInterval;
			return this;
		}

		/**
		 * How long stopping waits for running tasks to finish.
		 * @param shutdownTimeout zero or more
		 * @return this builder
		 */
		public Builder shutdownTimeout(Duration shutdownTimeout) {
			this.shutdownTimeout = shutdownTimeout;
			return this;
		}

		/**
		 * How long the leader's lease lasts without renewal.
		 * @param lease at least one second
		 * @return this builder
		 */
		public Builder lease(Duration lease) {
			this.lease = lease;
			return this;
		}

		/**
		 * How often this node heartbeats.
		 * @param workerMonitorInterval a positive duration
		 * @return this builder
		 */
		public Builder workerMonitorInterval(Duration workerMonitorInterval) {
			this.workerMonitorInterval = workerMonitorInterval;
			return this;
		}

		/**
		 * Ended runs of each task kept even past their TTL, for the history.
		 * @param historyPerTask zero or more
		 * @return this builder
		 */
		public Builder historyPerTask(int historyPerTask) {
			this.historyPerTask = historyPerTask;
			return this;
		}

		/**
		 * Whether a task's end is written to the outbox, for a relay to publish.
		 * @param events whether to write events
		 * @return this builder
		 */
		public Builder events(boolean events) {
			this.events = events;
			return this;
		}

		/**
		 * Queues with worker threads of their own, by name.
		 * @param queueConcurrency worker threads per queue, each at least 1
		 * @return this builder
		 */
		public Builder queueConcurrency(Map<String, Integer> queueConcurrency) {
			this.queueConcurrency = queueConcurrency;
			return this;
		}

		/**
		 * Queues limited across the cluster, by name: at most that many of a queue's tasks run
		 * at once on all the nodes of one database together, whatever their number. Its tasks
		 * are claimed one claim at a time across the cluster, none ahead.
		 * @param queueGlobalConcurrency tasks running at once per queue in the cluster, each at
		 * least 1
		 * @return this builder
		 */
		public Builder queueGlobalConcurrency(Map<String, Integer> queueGlobalConcurrency) {
			this.queueGlobalConcurrency = queueGlobalConcurrency;
			return this;
		}

		/**
		 * Queues whose starts are limited across the cluster, by name: at most so many of a
		 * queue's tasks start per period on all the nodes of one database together, one every
		 * period divided by the starts. Its tasks are claimed one claim at a time across the
		 * cluster, none ahead.
		 * @param queueRateLimits the limit per queue
		 * @return this builder
		 */
		public Builder queueRateLimits(Map<String, RateLimit> queueRateLimits) {
			this.queueRateLimits = queueRateLimits;
			return this;
		}

		/**
		 * Whether workers are virtual threads, which needs Java 21 or later.
		 * @param virtualThreads whether workers are virtual threads
		 * @return this builder
		 */
		public Builder virtualThreads(boolean virtualThreads) {
			this.virtualThreads = virtualThreads;
			return this;
		}

		/**
		 * Build the settings.
		 * @return the settings
		 * @throws InvalidSettingException naming the first setting out of range
		 */
		public EngineSettings build() {
			return new EngineSettings(this.nodeId, this.schema, this.defaultOwner, this.workers, this.pollInterval,
					this.retryDelay, this.maxRetryDelay, this.resultTtl, this.cleanInterval, this.shutdownTimeout,
					this.lease, this.workerMonitorInterval, this.historyPerTask, this.events, this.queueConcurrency,
					this.virtualThreads, this.queueGlobalConcurrency, this.queueRateLimits);
		}

	}

}
