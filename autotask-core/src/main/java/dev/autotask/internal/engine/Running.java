package dev.autotask.internal.engine;

import java.time.Duration;
import java.util.Set;
import java.util.HashSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.autotask.engine.EngineSettings;
import dev.autotask.internal.jdbc.TaskClientTable;
import dev.autotask.internal.outbox.OutboxRelay;
import dev.autotask.internal.outbox.RelaySettings;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The threads of a started engine.
 */
final class Running {

	private static final Logger logger = LoggerFactory.getLogger(Running.class);

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

	private final Node node;

	private volatile boolean stopping;

	Running(Node node) {
		this.node = node;
		EngineSettings settings = node.settings;
		// A fixed pool of virtual threads still runs no more tasks at once than the lanes allow.
		this.workers = Executors.newFixedThreadPool(Dispatcher.threads(settings),
				settings.virtualThreads() ? virtualThreads("autotask-worker-") : threads("autotask-worker-"));
		this.watchdog = Executors.newSingleThreadScheduledExecutor(threads("autotask-watchdog"));
		this.completer = new Completer(this.node.outcomes, settings.nodeId(), this.node.json,
				this.node.observer, this::retried, limitedQueues(settings), this.held,
				this.node.supervisor().counts());
		this.completerThread = threads("autotask-completer").newThread(this.completer);
		TaskRunner runner = new TaskRunner(this.node.runs, this.node.registry, this.node.json,
				this.node.retryPolicy, settings.nodeId(), this.watchdog, () -> this.stopping,
				new TransactionTemplate(new DataSourceTransactionManager(this.node.dataSource)),
				this.node.observer, this.completer, new TaskObservations(this.node.observations, this.node.json));
		DataSource listening = this.node.notifications.dataSource(this.node.dataSource);
		this.dispatcher = new Dispatcher(this.node.claims, this.node.limitedClaims, this.node.keyedClaims,
				this.node.registry, runner, this.workers, this.wakeup, settings, this.held, listening != null);
		this.notifier = (listening != null)
				? new Notifier(listening, this.node.names.channel(), this::onNotification) : null;
		this.notifierThread = (this.notifier != null) ? threads("autotask-notifier").newThread(this.notifier)
				: null;
		this.dispatcherThread = threads("autotask-dispatcher").newThread(this.dispatcher);
		if (settings.events() && !this.node.sinks.isEmpty()) {
			this.relay = new OutboxRelay(this.node.dataSource, this.node.names, this.node.sinks,
					this.node.json, RelaySettings.of(settings.pollInterval()));
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

	HeldTasks held() {
		return this.held;
	}

	int claimedAhead() {
		return this.dispatcher.claimedAhead();
	}

	// Called by the completer, which is made before the dispatcher.
	private void retried() {
		this.dispatcher.retried();
	}

	private void onNotification(String payload) {
		if ("leader".equals(payload)) {
			this.node.supervisor().electSoon();
		}
		else if ("outbox".equals(payload)) {
			if (this.relay != null) {
				this.relay.wake();
			}
		}
		else {
			if (TaskClientTable.KEYED_PAYLOAD.equals(payload)) {
				this.dispatcher.keyedArrived();
			}
			else {
				this.dispatcher.enqueued(TaskClientTable.placeOf(payload));
			}
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
		Duration timeout = this.node.settings.shutdownTimeout();
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
			int handedBack = this.node.claims.handBack(this.node.settings.nodeId());
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

	private static Set<String> limitedQueues(EngineSettings settings) {
		Set<String> limited = new HashSet<>(settings.queueGlobalConcurrency().keySet());
		limited.addAll(settings.queueRateLimits().keySet());
		return Set.copyOf(limited);
	}

}
