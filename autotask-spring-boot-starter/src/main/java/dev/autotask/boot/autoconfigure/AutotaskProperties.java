package dev.autotask.boot.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.autotask.engine.EngineSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for autotask.
 */
@ConfigurationProperties("autotask")
public class AutotaskProperties {

	/**
	 * Whether this node runs the engine: claims and runs tasks, and prunes old results. When
	 * off, the application still starts tasks for other nodes to run.
	 */
	private boolean enabled = true;

	/**
	 * Worker threads on this node.
	 */
	private int workers = EngineSettings.DEFAULT_WORKERS;

	/**
	 * Longest wait between two looks at the queue when no notification arrives.
	 */
	private Duration pollInterval = EngineSettings.DEFAULT_POLL_INTERVAL;

	/**
	 * Wait after a first failed attempt, doubled after each further one, with jitter.
	 */
	private Duration retryDelay = EngineSettings.DEFAULT_RETRY_DELAY;

	/**
	 * Longest wait between two attempts of a task.
	 */
	private Duration maxRetryDelay = EngineSettings.DEFAULT_MAX_RETRY_DELAY;

	/**
	 * How long an ended task's result, error and arguments are kept, for tasks that set no TTL.
	 */
	private Duration resultTtl = EngineSettings.DEFAULT_RESULT_TTL;

	/**
	 * How often ended tasks past their TTL are deleted.
	 */
	private Duration cleanInterval = EngineSettings.DEFAULT_CLEAN_INTERVAL;

	/**
	 * How long stopping the application waits for running tasks to finish.
	 */
	private Duration shutdownTimeout = EngineSettings.DEFAULT_SHUTDOWN_TIMEOUT;

	/**
	 * Schema of autotask's tables. Defaults to the connection's current schema.
	 */
	private @Nullable String schema;

	/**
	 * Owner of tasks started without an explicit one. Defaults to spring.application.name, or
	 * "default".
	 */
	private @Nullable String owner;

	/**
	 * Id of this node among those sharing the database. Defaults to pid@host with a random
	 * suffix.
	 */
	private @Nullable String nodeId;

	/**
	 * How long the leader's lease lasts without renewal. The leader renews it every third of
	 * it; a leader that dies is replaced within about one lease.
	 */
	private Duration lease = EngineSettings.DEFAULT_LEASE;

	/**
	 * How often each node heartbeats. A node silent for two intervals counts as dead, and its
	 * running tasks are handed back.
	 */
	private Duration workerMonitorInterval = EngineSettings.DEFAULT_WORKER_MONITOR_INTERVAL;

	private final History history = new History();

	/**
	 * Queues with worker threads of their own on each node, by name. None by default: a queue
	 * not named here shares autotask.workers.
	 */
	private final Map<String, Queue> queues = new LinkedHashMap<>();

	private final Listen listen = new Listen();

	private final Flyway flyway = new Flyway();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public int getWorkers() {
		return this.workers;
	}

	public void setWorkers(int workers) {
		this.workers = workers;
	}

	public Duration getPollInterval() {
		return this.pollInterval;
	}

	public void setPollInterval(Duration pollInterval) {
		this.pollInterval = pollInterval;
	}

	public Duration getRetryDelay() {
		return this.retryDelay;
	}

	public void setRetryDelay(Duration retryDelay) {
		this.retryDelay = retryDelay;
	}

	public Duration getMaxRetryDelay() {
		return this.maxRetryDelay;
	}

	public void setMaxRetryDelay(Duration maxRetryDelay) {
		this.maxRetryDelay = maxRetryDelay;
	}

	public Duration getResultTtl() {
		return this.resultTtl;
	}

	public void setResultTtl(Duration resultTtl) {
		this.resultTtl = resultTtl;
	}

	public Duration getCleanInterval() {
		return this.cleanInterval;
	}

	public void setCleanInterval(Duration cleanInterval) {
		this.cleanInterval = cleanInterval;
	}

	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public @Nullable String getSchema() {
		return this.schema;
	}

	public void setSchema(@Nullable String schema) {
		this.schema = schema;
	}

	public @Nullable String getOwner() {
		return this.owner;
	}

	public void setOwner(@Nullable String owner) {
		this.owner = owner;
	}

	public @Nullable String getNodeId() {
		return this.nodeId;
	}

	public void setNodeId(@Nullable String nodeId) {
		this.nodeId = nodeId;
	}

	public Duration getLease() {
		return this.lease;
	}

	public void setLease(Duration lease) {
		this.lease = lease;
	}

	public Duration getWorkerMonitorInterval() {
		return this.workerMonitorInterval;
	}

	public void setWorkerMonitorInterval(Duration workerMonitorInterval) {
		this.workerMonitorInterval = workerMonitorInterval;
	}

	public History getHistory() {
		return this.history;
	}

	public Map<String, Queue> getQueues() {
		return this.queues;
	}

	/**
	 * Settings of one queue.
	 */
	public static class Queue {

		/**
		 * Worker threads of this queue on each node. 1 by default; a queue with a
		 * global-concurrency and none of its own runs on as many threads as that limit.
		 */
		private @Nullable Integer concurrency;

		/**
		 * At most this many of the queue's tasks run at once in the whole cluster (every node on
		 * the database), whatever the number of nodes. Unset: no limit across nodes.
		 */
		private @Nullable Integer globalConcurrency;

		/**
		 * At most so many of the queue's tasks start per period in the whole cluster, spread
		 * evenly, as "starts/period": "10/1s", "1000/1h", "3/500ms". Unset: no limit.
		 */
		private @Nullable String rateLimit;

		public @Nullable String getRateLimit() {
			return this.rateLimit;
		}

		public void setRateLimit(@Nullable String rateLimit) {
			this.rateLimit = rateLimit;
		}

		public @Nullable Integer getConcurrency() {
			return this.concurrency;
		}

		public void setConcurrency(@Nullable Integer concurrency) {
			this.concurrency = concurrency;
		}

		public @Nullable Integer getGlobalConcurrency() {
			return this.globalConcurrency;
		}

		public void setGlobalConcurrency(@Nullable Integer globalConcurrency) {
			this.globalConcurrency = globalConcurrency;
		}

	}

	public Listen getListen() {
		return this.listen;
	}

	public Flyway getFlyway() {
		return this.flyway;
	}

	/**
	 * Run history settings.
	 */
	public static class History {

		/**
		 * Ended runs of each task kept even past their TTL, for the history.
		 */
		private int perTask = EngineSettings.DEFAULT_HISTORY_PER_TASK;

		public int getPerTask() {
			return this.perTask;
		}

		public void setPerTask(int perTask) {
			this.perTask = perTask;
		}

	}

	/**
	 * Settings of the connection on which the engine LISTENs for new tasks, for when the
	 * DataSource goes through a connection pooler in transaction mode, such as PgBouncer's
	 * pool_mode=transaction, where a LISTEN hears nothing.
	 */
	public static class Listen {

		/**
		 * Whether the engine LISTENs for notifications of new tasks. Turn off behind a pooler in
		 * transaction mode when no direct connection is allowed: the engine then polls only,
		 * every autotask.poll-interval.
		 */
		private boolean enabled = true;

		/**
		 * JDBC URL of a direct connection to the same database, not through the pooler, that
		 * the engine holds for LISTEN alone; every other statement still goes through the
		 * DataSource. By default, the engine listens on a connection of the DataSource.
		 */
		private @Nullable String url;

		/**
		 * Login user of the LISTEN connection. Defaults to spring.datasource.username.
		 */
		private @Nullable String username;

		/**
		 * Login password of the LISTEN connection. Defaults to spring.datasource.password.
		 */
		private @Nullable String password;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public @Nullable String getUrl() {
			return this.url;
		}

		public void setUrl(@Nullable String url) {
			this.url = url;
		}

		public @Nullable String getUsername() {
			return this.username;
		}

		public void setUsername(@Nullable String username) {
			this.username = username;
		}

		public @Nullable String getPassword() {
			return this.password;
		}

		public void setPassword(@Nullable String password) {
			this.password = password;
		}

	}

	/**
	 * Settings of autotask's own schema migration.
	 */
	public static class Flyway {

		/**
		 * Whether to migrate autotask's tables on start-up, with a Flyway of autotask's own and
		 * the history table autotask_schema_history. Turn off to apply the scripts of
		 * classpath:db/autotask by hand.
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

}
