package dev.autotask.engine;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.autotask.jdbc.TableNames;
import dev.autotask.jdbc.TaskTable;
import dev.autotask.json.TaskJson;
import dev.autotask.retry.ExponentialBackoff;
import dev.autotask.retry.RetryPolicy;
import dev.autotask.supervisor.ResultPruner;
import dev.autotask.task.TaskRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's engine: a dispatcher that claims due tasks, a pool of workers that run them, a
 * notifier that wakes the dispatcher when a task is enqueued, and the maintenance that prunes
 * expired results.
 *
 * <p>
 * {@link #start()} and {@link #stop()} may each be called once. Stopping stops claiming first,
 * then waits up to the shutdown timeout for running tasks to end.
 */
public final class Engine {

	private static final Logger logger = LoggerFactory.getLogger(Engine.class);

	private final DataSource dataSource;

	private final TaskRegistry registry;

	private final TaskJson json;

	private final EngineSettings settings;

	private final RetryPolicy retryPolicy;

	private final TaskTable table;

	private @Nullable Running running;

	/**
	 * Create an engine.
	 * @param dataSource the database holding the task table
	 * @param registry the tasks this node runs
	 * @param json the JSON codec
	 * @param settings how the node runs
	 */
	public Engine(DataSource dataSource, TaskRegistry registry, TaskJson json, EngineSettings settings) {
		this.dataSource = dataSource;
		this.registry = registry;
		this.json = json;
		this.settings = settings;
		this.retryPolicy = new ExponentialBackoff(settings.retryDelay(), settings.maxRetryDelay());
		this.table = new TaskTable(dataSource, new TableNames(settings.schema()));
	}

	/**
	 * Start claiming and running tasks.
	 */
	public synchronized void start() {
		if (this.running != null) {
			throw new IllegalStateException("Engine " + this.settings.nodeId() + " is already started");
		}
		this.running = new Running();
		logger.info("autotask engine {} started with {} worker(s) for {} task(s)", this.settings.nodeId(),
				this.settings.workers(), this.registry.names().size());
	}

	/**
	 * Stop claiming, and wait up to the shutdown timeout for running tasks to end.
	 */
	public synchronized void stop() {
		Running running = this.running;
		if (running != null) {
			running.stop();
			this.running = null;
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
	 * This node's settings.
	 * @return the settings
	 */
	public EngineSettings settings() {
		return this.settings;
	}

	/**
	 * The threads and services of a started engine.
	 */
	private final class Running {

		private final Wakeup wakeup = new Wakeup();

		private final ExecutorService workers;

		private final Dispatcher dispatcher;

		private final Thread dispatcherThread;

		private final Notifier notifier;

		private final Thread notifierThread;

		private final ScheduledExecutorService maintenance;

		Running() {
			EngineSettings settings = Engine.this.settings;
			Semaphore slots = new Semaphore(settings.workers());
			this.workers = Executors.newFixedThreadPool(settings.workers(), threads("autotask-worker-"));
			TaskRunner runner = new TaskRunner(Engine.this.table, Engine.this.registry, Engine.this.json,
					Engine.this.retryPolicy, settings.nodeId(), () -> {
						slots.release();
						this.wakeup.signal();
					});
			this.dispatcher = new Dispatcher(Engine.this.table, Engine.this.registry, runner, this.workers, slots,
					this.wakeup, settings);
			this.notifier = new Notifier(Engine.this.dataSource, new TableNames(settings.schema()).channel(),
					this.wakeup::signal);
			this.notifierThread = threads("autotask-notifier").newThread(this.notifier);
			this.dispatcherThread = threads("autotask-dispatcher").newThread(this.dispatcher);
			this.maintenance = Executors.newSingleThreadScheduledExecutor(threads("autotask-maintenance"));
			ResultPruner pruner = new ResultPruner(Engine.this.table);
			long clean = settings.cleanInterval().toMillis();
			this.maintenance.scheduleWithFixedDelay(() -> runQuietly("prune results", pruner::runOnce), clean, clean,
					TimeUnit.MILLISECONDS);
			this.notifierThread.start();
			this.dispatcherThread.start();
		}

		void stop() {
			this.dispatcher.stop();
			this.notifier.stop();
			this.maintenance.shutdownNow();
			join(this.dispatcherThread);
			this.workers.shutdown();
			Duration timeout = Engine.this.settings.shutdownTimeout();
			try {
				if (!this.workers.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
					logger.warn("Tasks still running after {}; interrupting them", timeout);
					this.workers.shutdownNow();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.workers.shutdownNow();
			}
			join(this.notifierThread);
		}

		private void join(Thread thread) {
			try {
				thread.join(Duration.ofSeconds(5).toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

	private static void runQuietly(String what, Runnable action) {
		try {
			action.run();
		}
		catch (RuntimeException ex) {
			logger.warn("Could not {}: {}", what, ex.toString());
		}
	}

	private static ThreadFactory threads(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (runnable) -> {
			String name = prefix.endsWith("-") ? prefix + count.incrementAndGet() : prefix;
			Thread thread = new Thread(runnable, name);
			thread.setDaemon(false);
			return thread;
		};
	}

}
