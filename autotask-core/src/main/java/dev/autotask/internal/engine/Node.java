package dev.autotask.internal.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import javax.sql.DataSource;

import dev.autotask.TaskEventSink;
import dev.autotask.engine.EngineSettings;
import dev.autotask.engine.Notifications;
import dev.autotask.engine.TaskObserver;
import dev.autotask.internal.jdbc.TableNames;
import dev.autotask.internal.jdbc.KeyedClaimTable;
import dev.autotask.internal.jdbc.LimitedClaimTable;
import dev.autotask.internal.jdbc.TaskClaimTable;
import dev.autotask.internal.jdbc.TaskOutcomeTable;
import dev.autotask.internal.jdbc.TaskRunTable;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.internal.supervisor.Supervisor;
import dev.autotask.retry.ExponentialBackoff;
import dev.autotask.retry.RetryPolicy;
import dev.autotask.task.TaskRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code dev.autotask.engine.Engine} runs: the supervisor, registered before the first
 * claim, and the threads of a started node ({@link Running}).
 */
public final class Node {

	private static final Logger logger = LoggerFactory.getLogger(Node.class);

	final DataSource dataSource;

	final TaskRegistry registry;

	final TaskJson json;

	final EngineSettings settings;

	final RetryPolicy retryPolicy;

	final TableNames names;

	final TaskClaimTable claims;

	final LimitedClaimTable limitedClaims;

	final KeyedClaimTable keyedClaims;

	final TaskRunTable runs;

	final TaskOutcomeTable outcomes;

	final List<TaskEventSink> sinks;

	final TaskObserver observer;

	final Notifications notifications;

	final ObservationRegistry observations;

	private final Supervisor supervisor;

	private volatile @Nullable Running running;

	/**
	 * Create a node that does not run yet.
	 * @param dataSource the database holding the task table
	 * @param registry the tasks this node runs
	 * @param json the JSON codec
	 * @param settings how the node runs
	 * @param sinks where the events of ended tasks go, in order
	 * @param observer told of each attempt's start and end
	 * @param notifications where the node listens, if anywhere
	 * @param observations where attempts are observed
	 */
	public Node(DataSource dataSource, TaskRegistry registry, TaskJson json, EngineSettings settings,
			List<TaskEventSink> sinks, TaskObserver observer, Notifications notifications,
			ObservationRegistry observations) {
		this.observations = observations;
		this.notifications = notifications;
		this.observer = observer;
		this.dataSource = dataSource;
		this.sinks = List.copyOf(sinks);
		this.registry = registry;
		this.json = json;
		this.settings = settings;
		this.retryPolicy = new ExponentialBackoff(settings.retryDelay(), settings.maxRetryDelay());
		this.names = new TableNames(settings.schema());
		this.claims = new TaskClaimTable(dataSource, this.names, settings.events());
		this.limitedClaims = new LimitedClaimTable(dataSource, this.names);
		this.keyedClaims = new KeyedClaimTable(dataSource, this.names);
		this.runs = new TaskRunTable(dataSource, this.names, settings.events());
		this.outcomes = new TaskOutcomeTable(dataSource, this.names, settings.events());
		this.supervisor = new Supervisor(dataSource, this.names, registry,
				new Supervisor.Settings(settings.nodeId(), settings.workers(), settings.defaultOwner(),
						settings.resultTtl(), settings.lease(), settings.workerMonitorInterval(),
						settings.cleanInterval(), settings.historyPerTask(), settings.events()),
				this::held, this::claimedAhead);
	}

	/**
	 * Start claiming and running tasks.
	 */
	public synchronized void start() {
		if (this.running != null) {
			throw new IllegalStateException("Engine " + this.settings.nodeId() + " is already started");
		}
		// Registered before the first claim, so that no task of this node ever looks orphaned.
		this.supervisor.start();
		this.running = new Running(this);
		logger.info("autotask engine {} started with {} worker(s) for {} task(s), {} schedule(s); {}",
				this.settings.nodeId(), this.settings.workers(), this.registry.names().size(),
				this.registry.schedules().size(), this.notifications.describe(this.settings.pollInterval()));
		if (this.notifications.isDirect()) {
			warnOfServerSidePreparedStatements();
		}
	}

	/**
	 * A direct connection for LISTEN says that the engine's DataSource goes through a pooler. In
	 * transaction mode, PgBouncer before 1.21 (or later without {@code max_prepared_statements})
	 * does not keep the server-side prepared statements pgjdbc makes of a statement run five
	 * times: they fail, or another statement of the same name runs.
	 */
	private void warnOfServerSidePreparedStatements() {
		try (Connection connection = this.dataSource.getConnection()) {
			int threshold = connection.unwrap(PGConnection.class).getPrepareThreshold();
			if (threshold > 0) {
				logger.warn("autotask listens on a direct connection, so its DataSource goes through a connection"
						+ " pooler, whose connections prepare statements on the server after {} executions"
						+ " (pgjdbc's prepareThreshold): PgBouncer in transaction mode loses them, unless it is"
						+ " 1.21 or later with max_prepared_statements set; add prepareThreshold=0 to the"
						+ " DataSource's JDBC URL", threshold);
			}
		}
		catch (SQLException ex) {
			logger.debug("Could not read the DataSource's prepareThreshold: {}", ex.toString());
		}
	}

	/**
	 * Stop claiming, wait up to the shutdown timeout for running tasks, hand back the rest, and
	 * resign the lead.
	 */
	public synchronized void stop() {
		Running running = this.running;
		if (running != null) {
			running.stop();
			this.running = null;
			this.supervisor.stop();
			logger.info("autotask engine {} stopped", this.settings.nodeId());
		}
	}

	/**
	 * Whether the node runs.
	 * @return {@code true} between start and stop
	 */
	public synchronized boolean isRunning() {
		return this.running != null;
	}

	/**
	 * This node's supervisor, for tests that drive its services step by step.
	 * @return the supervisor
	 */
	public Supervisor supervisor() {
		return this.supervisor;
	}

	/**
	 * The tasks this node holds, or {@code null} while it does not run.
	 */
	private @Nullable List<Long> held() {
		Running running = this.running;
		return (running != null) ? running.held().ids() : null;
	}

	/**
	 * The tasks this node claimed ahead of its workers and has not started, 0 while it does not
	 * run.
	 */
	private int claimedAhead() {
		Running running = this.running;
		return (running != null) ? running.claimedAhead() : 0;
	}

}
