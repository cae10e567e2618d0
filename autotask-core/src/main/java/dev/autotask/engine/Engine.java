package dev.autotask.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.autotask.TaskEventSink;
import dev.autotask.jdbc.TableNames;
import dev.autotask.jdbc.TaskTable;
import dev.autotask.json.TaskJson;
import dev.autotask.outbox.OutboxRelay;
import dev.autotask.outbox.RelaySettings;
import dev.autotask.retry.ExponentialBackoff;
import dev.autotask.retry.RetryPolicy;
import dev.autotask.supervisor.Supervisor;
import dev.autotask.task.TaskRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One node's engine: a dispatcher that claims due tasks, a pool of workers that run them, a
 * notifier that wakes the dispatcher when a task is enqueued (on a connection of its own
 * when the DataSource goes through a pooler, or none: see {@link Notifications}), and the
 * supervisor that heartbeats the node and, on the leader, fires schedules and runs
 * maintenance. With {@link EngineSettings#events() events} on and at least one
 * {@link TaskEventSink}, an {@link OutboxRelay} also publishes the events of ended tasks.
 *
 * <p>
 * Stopping stops claiming first and gives back the tasks claimed ahead that have not started,
 * then waits up to the shutdown timeout for running tasks to end, writes every outcome the
 * completer still holds, hands back to PENDING what is still running, lets the relay publish a
 * last batch, and resigns the lead so that another node takes it at once.
 */
public final class Engine {

	private static final Logger logger = LoggerFactory.getLogger(Engine.class);

	private final DataSource dataSource;

	private final TaskRegistry registry;

	private final TaskJson json;

	private final EngineSettings settings;

	private final RetryPolicy retryPolicy;

	private final TableNames names;

	private final TaskTable table;

	private final Supervisor supervisor;

	private final List<TaskEventSink> sinks;

	private final TaskObserver observer;

	private final Notifications notifications;

	private final ObservationRegistry observations;

	private volatile @Nullable Running running;

	/**
	 * Create an engine without event sinks.
	 * @param dataSource the database holding the task table
	 * @param registry the tasks this node runs
	 * @param json the JSON codec
	 * @param settings how the node runs
	 */
	public Engine(DataSource dataSource, TaskRegistry registry, TaskJson json, EngineSettings settings) {
		this(dataSource, registry, json, settings, List.of(), TaskObserver.NONE);
	}

	/**
	 * Create an engine.
	 * @param dataSource the database holding the task table
	 * @param registry the tasks this node runs
	 * @param json the JSON codec
	 * @param settings how the node runs
	 * @param sinks where the events of ended tasks go, in order; with events on, this node
	 * relays them from the outbox when there is at least one
	 */
	public Engine(DataSource dataSource, TaskRegistry registry, TaskJson json, EngineSettings settings,
			List<TaskEventSink> sinks) {
		this(dataSource, registry, json, settings, sinks, TaskObserver.NONE);
	}

	/**
	 * Create an engine that reports what its workers do.
	 * @param dataSource the database holding the task table
	 * @param registry the tasks this node runs
	 * @param json the JSON codec
	 * @param settings how the node runs
	 * @param sinks where the events of ended tasks go, in order
	 * @param observer told of each attempt's start and end
	 */
	public Engine(DataSource dataSource, TaskRegistry registry, TaskJson json, EngineSettings settings,
			List<TaskEventSink> sinks, TaskObserver observer) {
		this(dataSource, registry, json, settings, sinks, observer, Notifications.engineDataSource());
	}

	/**
	 * Create an engine that hears of new tasks in its own way: through a direct connection when
	 * its DataSource goes through a pooler in transaction mode, or by polling only.
	 * @param dataSource the database holding the task table
	 * @param registry the tasks this node runs
	 * @param json the JSON codec
	 * @param settings how the node runs
	 * @param sinks where the events of ended tasks go, in order
	 * @param observer told of each attempt's start and end
	 * @param notifications where the engine listens, if anywhere
	 */
	public Engine(DataSource dataSource, TaskRegistry registry, TaskJson json, EngineSettings settings,
			List<TaskEventSink> sinks, TaskObserver observer, Notifications notifications) {
		this(dataSource, registry, json, settings, sinks, observer, notifications, ObservationRegistry.NOOP);
	}

	/**
	 * Create an engine that also observes each attempt of a task: the observation
	 * {@code autotask.execution}, tagged with the task, its queue and the attempt's outcome, and
	 * joined to the trace that enqueued the task.
	 * @param dataSource the database holding the task table
	 * @param registry the tasks this node runs
	 * @param json the JSON codec
	 * @param settings how the node runs
	 * @param sinks where the events of ended tasks go, in order
	 * @param observer told of each attempt's start and end
	 * @param notifications where the engine listens, if anywhere
	 * @param observations where attempts are observed
	 */
	public Engine(DataSource dataSource, TaskRegistry registry, TaskJson json, EngineSettings settings,
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
		this.table = new TaskTable(dataSource, this.names, settings.events());
		this.supervisor = new Supervisor(dataSource, this.names, registry,
				new Supervisor.Settings(settings.nodeId(), settings.workers(), settings.defaultOwner(),
						settings.resultTtl(), settings.lease(), settings.workerMonitorInterval(),
						settings.cleanInterval(), settings.historyPerTask(), settings.events()),
				this::held);
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
		this.running = new Running();
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
	 * Whether the engine runs.
	 * @return {@code true} between start and stop
	 */
	public synchronized boolean isRunning() {
		return this.running != null;
	}

	/**
	 * Whether this node leads the cluster now.
	 * @return whether it leads
	 */
	public boolean isLeader() {
		return this.supervisor.isLeader();
	}

	/**
	 * This node's settings.
	 * @return the settings
	 */
	public EngineSettings settings() {
		return this.settings;
	}

	/**
	 * Where this node hears of new tasks.
	 * @return the notifications
	 */
	public Notifications notifications() {
		return this.notifications;
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
		return (running != null) ? running.held.ids() : null;
	}

	/**
	 * The threads of a started engine.
	 */
	private final class Running {

		private final Wakeup wakeup = new Wakeup();

		private final HeldTasks held = new HeldTasks();

		private final ExecutorService workers;

		private final ScheduledExecutorService watchdog;

		private final Dispatcher dispatcher;

		private final Thread dispatcherThread;

		private final Completer completer;

		private final Thread completerThread;

		// Both null when polling only.
		private final @Nullable Notifier notifier;

		private final @Nullable Thread notifierThread;

		private final @Nullable OutboxRelay relay;

		private final @Nullable Thread relayThread;

		private volatile boolean stopping;

		Running() {
			EngineSettings settings = Engine.this.settings;
			// A fixed pool of virtual threads still runs no more tasks at once than the lanes allow.
			this.workers = Executors.newFixedThreadPool(Dispatcher.threads(settings),
					settings.virtualThreads() ? virtualThreads("autotask-worker-") : threads("autotask-worker-"));
			this.watchdog = Executors.newSingleThreadScheduledExecutor(threads("autotask-watchdog"));
			this.completer = new Completer(Engine.this.table, settings.nodeId(), Engine.this.json,
					Engine.this.observer, this.wakeup::signal, this.held);
			this.completerThread = threads("autotask-completer").newThread(this.completer);
			TaskRunner runner = new TaskRunner(Engine.this.table, Engine.this.registry, Engine.this.json,
					Engine.this.retryPolicy, settings.nodeId(), this.watchdog, () -> this.stopping,
					new TransactionTemplate(new DataSourceTransactionManager(Engine.this.dataSource)),
					Engine.this.observer, this.completer, new TaskObservations(Engine.this.observations, Engine.this.json));
			this.dispatcher = new Dispatcher(Engine.this.table, Engine.this.registry, runner, this.workers, this.wakeup,
					settings, this.held);
			DataSource listening = Engine.this.notifications.dataSource(Engine.this.dataSource);
			this.notifier = (listening != null)
					? new Notifier(listening, Engine.this.names.channel(), this::onNotification) : null;
			this.notifierThread = (this.notifier != null) ? threads("autotask-notifier").newThread(this.notifier)
					: null;
			this.dispatcherThread = threads("autotask-dispatcher").newThread(this.dispatcher);
			if (settings.events() && !Engine.this.sinks.isEmpty()) {
				this.relay = new OutboxRelay(Engine.this.dataSource, Engine.this.names, Engine.this.sinks,
						Engine.this.json, RelaySettings.of(settings.pollInterval()));
				this.relayThread = threads("autotask-outbox-relay").newThread(this.relay);
			}
			else {
				this.relay = null;
				this.relayThread = null;
			}
			this.completerThread.start();
			if (this.notifierThread != null) {
				this.notifierThread.start();
			}
			this.dispatcherThread.start();
			if (this.relayThread != null) {
				this.relayThread.start();
			}
		}

		private void onNotification(String payload) {
			if ("leader".equals(payload)) {
				Engine.this.supervisor.electSoon();
			}
			else if ("outbox".equals(payload)) {
				if (this.relay != null) {
					this.relay.wake();
				}
			}
			else {
				this.wakeup.signal();
			}
		}

		void stop() {
			this.dispatcher.stop();
			if (this.notifier != null) {
				this.notifier.stop();
			}
			join(this.dispatcherThread);
			giveBack();
			this.workers.shutdown();
			Duration timeout = Engine.this.settings.shutdownTimeout();
			try {
				if (!this.workers.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
					logger.warn("Tasks still running after {}; interrupting them and handing them back", timeout);
					this.stopping = true;
					this.workers.shutdownNow();
					this.workers.awaitTermination(1, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.stopping = true;
				this.workers.shutdownNow();
			}
			this.watchdog.shutdownNow();
			// Every outcome is handed over now: write them before anything is handed back.
			this.completer.stop(timeout);
			join(this.completerThread, timeout.plusSeconds(5));
			handBack();
			if (this.notifierThread != null) {
				join(this.notifierThread);
			}
			// Last, so that it publishes the events of the tasks that ended while stopping.
			if (this.relay != null && this.relayThread != null) {
				this.relay.stop();
				join(this.relayThread);
			}
		}

		private void giveBack() {
			try {
				int given = this.dispatcher.giveBack();
				if (given > 0) {
					logger.info("Gave back {} task(s) claimed ahead that had not started", given);
				}
			}
			catch (RuntimeException ex) {
				logger.warn("Could not give back the tasks claimed ahead; they are handed back below, or rescued once"
						+ " this node is seen dead: {}", ex.toString());
			}
		}

		private void handBack() {
			try {
				int handedBack = Engine.this.table.handBack(Engine.this.settings.nodeId());
				if (handedBack > 0) {
					logger.info("Handed back {} unfinished task(s) to other nodes", handedBack);
				}
			}
			catch (RuntimeException ex) {
				logger.warn("Could not hand back unfinished tasks; they are rescued once this node is seen dead: {}",
						ex.toString());
			}
		}

		private void join(Thread thread) {
			join(thread, Duration.ofSeconds(5));
		}

		private void join(Thread thread, Duration timeout) {
			try {
				thread.join(timeout.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

	/**
	 * Virtual threads, through reflection: the engine is built for Java 17, where
	 * {@code Thread.ofVirtual()} does not exist; {@link EngineSettings} refuses them there.
	 */
	private static ThreadFactory virtualThreads(String prefix) {
		try {
			Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
			builder = Class.forName("java.lang.Thread$Builder$OfVirtual")
				.getMethod("name", String.class, long.class)
				.invoke(builder, prefix, 1L);
			return (ThreadFactory) Class.forName("java.lang.Thread$Builder").getMethod("factory").invoke(builder);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("Virtual threads need Java 21 or later, this is Java "
					+ Runtime.version().feature(), ex);
		}
	}

	private static ThreadFactory threads(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (runnable) -> {
			String name = prefix.endsWith("-") ? prefix + count.incrementAndGet() : prefix;
			return new Thread(runnable, name);
		};
	}

}
