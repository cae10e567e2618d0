package dev.autotask.boot.actuate;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import dev.autotask.QueueInfo;
import dev.autotask.TaskStatus;
import dev.autotask.engine.TaskObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micrometer meters of autotask: counters and timers fed by the engine as tasks are enqueued,
 * start and end, and the {@code autotask.queue.depth} and {@code autotask.queue.oldest.pending}
 * gauges read from the task table.
 *
 * <p>
 * The gauges share one query of the queue counts, cached for {@link #DEFAULT_QUEUE_DEPTH_TTL}
 * so that scrapes do not hammer the database. A queue gets its gauges (one per status) when
 * the query first sees it; the queues named at start-up have them from the start.
 */
public final class AutotaskMetrics implements TaskObserver {

	/** How long one query of the queue counts serves the gauges. */
	public static final Duration DEFAULT_QUEUE_DEPTH_TTL = Duration.ofSeconds(5);

	private static final Logger logger = LoggerFactory.getLogger(AutotaskMetrics.class);

	private final MeterRegistry registry;

	private final Supplier<List<QueueInfo>> queues;

	private final long ttlNanos;

	private final Set<String> queuesWithGauges = ConcurrentHashMap.newKeySet();

	private volatile Map<String, QueueInfo> counted = Map.of();

	private volatile long readAt;

	private volatile boolean read;

	/**
	 * Create the meters.
	 * @param registry where to register them
	 * @param queues reads every queue's counts over all owners, typically {@code TaskClient::clusterQueues}
	 * @param knownQueues queues to show gauges for before they are first seen
	 * @param ttl how long one read of the counts serves the gauges
	 */
	public AutotaskMetrics(MeterRegistry registry, Supplier<List<QueueInfo>> queues, Collection<String> knownQueues,
			Duration ttl) {
		this.registry = registry;
		this.queues = queues;
		this.ttlNanos = ttl.toNanos();
		knownQueues.forEach(this::registerGauges);
	}

	@Override
	public void enqueued(String task, String queue) {
		counter("autotask.tasks.enqueued", "Tasks enqueued", task, queue).increment();
	}

	@Override
	public void started(String task, String queue, Duration lag) {
		counter("autotask.tasks.started", "Task attempts started", task, queue).increment();
		Timer.builder("autotask.tasks.lag")
			.description("Time from a task's earliest start to the start of its attempt")
			.tags("task", task, "queue", queue)
			.register(this.registry)
			.record(lag);
	}

	@Override
	public void ended(String task, String queue, Outcome outcome, Duration runTime) {
		switch (outcome) {
			case SUCCESS -> counter("autotask.tasks.succeeded", "Tasks succeeded", task, queue).increment();
			case FAILURE -> counter("autotask.tasks.failed", "Tasks failed for good", task, queue).increment();
			case RETRY -> counter("autotask.tasks.retried", "Failed attempts to be retried", task, queue).increment();
			case CANCELLED ->
				counter("autotask.tasks.cancelled", "Tasks stopped on a cancel request", task, queue).increment();
		}
		Timer.builder("autotask.tasks.run")
			.description("Run time of task attempts")
			.tags("task", task, "queue", queue, "outcome", outcome.name())
			.register(this.registry)
			.record(runTime);
	}

	private Counter counter(String name, String description, String task, String queue) {
		return Counter.builder(name).description(description).tags("task", task, "queue", queue).register(this.registry);
	}

	private void registerGauges(String queue) {
		if (!this.queuesWithGauges.add(queue)) {
			return;
		}
		for (TaskStatus status : TaskStatus.values()) {
			Gauge.builder("autotask.queue.depth", () -> depth(queue, status))
				.description("Tasks of a queue in a status")
				.tags("queue", queue, "status", status.name())
				.strongReference(true)
				.register(this.registry);
		}
		Gauge.builder("autotask.queue.oldest.pending", () -> oldestPendingSeconds(queue))
			.description("How long the oldest due pending task of a queue has waited past its time")
			.tags("queue", queue)
			.baseUnit("seconds")
			.strongReference(true)
			.register(this.registry);
	}

	private double oldestPendingSeconds(String queue) {
		refreshIfStale();
		QueueInfo info = this.counted.get(queue);
		Duration age = (info != null) ? info.oldestPendingAge() : null;
		return (age != null) ? age.toMillis() / 1000.0 : 0;
	}

	private double depth(String queue, TaskStatus status) {
		refreshIfStale();
		QueueInfo info = this.counted.get(queue);
		return (info != null) ? info.counts().getOrDefault(status, 0L) : 0;
	}

	private void refreshIfStale() {
		if (this.read && System.nanoTime() - this.readAt < this.ttlNanos) {
			return;
		}
		synchronized (this) {
			if (this.read && System.nanoTime() - this.readAt < this.ttlNanos) {
				return;
			}
			try {
				Map<String, QueueInfo> counted = new ConcurrentHashMap<>();
				this.queues.get().forEach((queue) -> counted.put(queue.name(), queue));
				this.counted = counted;
				counted.keySet().forEach(this::registerGauges);
			}
			catch (RuntimeException ex) {
				// Keep the last counts; the health indicator reports the database itself.
				logger.debug("Could not read the queue counts for the autotask.queue.depth gauges", ex);
			}
			// Also after a failure: a database that is down is not asked again on every gauge.
			this.readAt = System.nanoTime();
			this.read = true;
		}
	}

}
