package dev.autotask.supervisor;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.autotask.jdbc.FireTable;
import dev.autotask.jdbc.LeaderTable;
import dev.autotask.jdbc.NodeTable;
import dev.autotask.jdbc.TableNames;
import dev.autotask.jdbc.TaskTable;
import dev.autotask.task.TaskRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's part in keeping the cluster healthy: it heartbeats the node, takes part in the
 * leader election and, while it leads, fires schedules, rescues the tasks of dead nodes and
 * prunes old results. Every node also hands back its own stray tasks: those it shows as
 * running but no longer holds.
 *
 * <p>
 * Heartbeat and election run on a thread of their own, so that a slow maintenance job can
 * never make a live node look dead or cost it the lead.
 */
public final class Supervisor {

	private static final Logger logger = LoggerFactory.getLogger(Supervisor.class);

	/** How often the leader looks for due schedules. */
	static final Duration FIRE_INTERVAL = Duration.ofMillis(500);

	private final NodeTable nodes;

	private final LeaderElector elector;

	private final ScheduleFirer firer;

	private final OrphanRescuer rescuer;

	private final ResultPruner pruner;

	private final Settings settings;

	private final Supplier<@Nullable Collection<Long>> held;

	// When this node last failed to heartbeat (System.nanoTime()), 0 if it never did.
	private volatile long lastHeartbeatFailure;

	// The jobs that failed on their last tick, with the time of their first failure.
	private final Map<String, Long> failingSince = new ConcurrentHashMap<>();

	private @Nullable ScheduledExecutorService heartbeat;

	private @Nullable ScheduledExecutorService maintenance;

	/**
	 * Create the supervisor of one node.
	 * @param dataSource the database
	 * @param names the table names
	 * @param registry the tasks and schedules
	 * @param settings the node's settings
	 * @param held the tasks this node holds in memory, or {@code null} while it cannot tell: a
	 * task {@code RUNNING} here but not held is a stray, handed back
	 */
	public Supervisor(DataSource dataSource, TableNames names, TaskRegistry registry, Settings settings,
			Supplier<@Nullable Collection<Long>> held) {
		this.held = held;
		// With events on, a task failed on node loss has its event too.
		TaskTable tasks = new TaskTable(dataSource, names, settings.events());
		this.nodes = new NodeTable(dataSource, names);
		this.elector = new LeaderElector(new LeaderTable(dataSource, names), settings.nodeId(),
				settings.lease().toMillis());
		this.firer = new ScheduleFirer(new FireTable(dataSource, names), registry, settings.owner(),
				settings.resultTtl());
		this.rescuer = new OrphanRescuer(tasks, registry, settings.nodeId(), settings.workerMonitorInterval());
		this.pruner = new ResultPruner(tasks, settings.historyPerTask());
		this.settings = settings;
	}

	/**
	 * Register the node, then start heartbeats, elections and, while leading, maintenance.
	 * The node is registered before this returns, so that its tasks never look orphaned; the
	 * tasks of an earlier process under the same id, killed before it could hand them back,
	 * do from then on.
	 */
	public synchronized void start() {
		this.nodes.register(this.settings.nodeId(), this.settings.workers(),
				this.settings.workerMonitorInterval().multipliedBy(2).toMillis());
		this.heartbeat = Executors.newSingleThreadScheduledExecutor((runnable) -> new Thread(runnable, "autotask-heartbeat"));
		this.maintenance = Executors
			.newSingleThreadScheduledExecutor((runnable) -> new Thread(runnable, "autotask-maintenance"));
		repeat(this.heartbeat, "heartbeat", this::heartbeat, this.settings.workerMonitorInterval());
		repeat(this.heartbeat, "elect", this.elector::runOnce, this.settings.lease().dividedBy(3));
		repeatWhileLeading(this.maintenance, "fire schedules", this.firer::runOnce, FIRE_INTERVAL);
		repeatWhileLeading(this.maintenance, "rescue orphaned tasks", this::rescueOrphans,
				this.settings.workerMonitorInterval());
		// Strays are rare, and looking for them reads every row of the table (an index of the running
		// rows made the completer's statement pick it, and drains ran slower): not on every heartbeat.
		repeat(this.maintenance, "rescue stray tasks", this::rescueStrays, this.settings.cleanInterval());
		repeatWhileLeading(this.maintenance, "prune results", () -> {
			this.pruner.runOnce();
			this.nodes.deleteExpired();
		}, this.settings.cleanInterval());
	}

	/**
	 * Stop maintenance, resign the lead and deregister the node.
	 */
	public synchronized void stop() {
		shutdown(this.maintenance);
		shutdown(this.heartbeat);
		this.maintenance = null;
		this.heartbeat = null;
		this.elector.resign();
		try {
			this.nodes.delete(this.settings.nodeId());
		}
		catch (RuntimeException ex) {
			logger.warn("Node {} could not deregister; it expires by itself: {}", this.settings.nodeId(), ex.toString());
		}
	}

	/**
	 * Hold an election now rather than at the next tick: the leader just resigned.
	 */
	public synchronized void electSoon() {
		if (this.heartbeat != null) {
			this.heartbeat.execute(() -> runQuietly("elect", this.elector::runOnce));
		}
	}

	/**
	 * Whether this node leads.
	 * @return whether it leads
	 */
	public boolean isLeader() {
		return this.elector.isLeader();
	}

	/**
	 * The schedule firer, which also answers when schedules fire next.
	 * @return the firer
	 */
	public ScheduleFirer firer() {
		return this.firer;
	}

	private void heartbeat() {
		try {
			this.nodes.heartbeat(this.settings.nodeId(), this.settings.workers(),
					this.settings.workerMonitorInterval().multipliedBy(2).toMillis());
		}
		catch (RuntimeException ex) {
			this.lastHeartbeatFailure = System.nanoTime();
			throw ex;
		}
	}

	/**
	 * Hand back the tasks of dead nodes, unless this node itself could not heartbeat less than
	 * a node's time to live (two heartbeat intervals) ago. After an outage of the database
	 * longer than that, every node looks dead until its next heartbeat, the leader included;
	 * rescuing at once would run a second time the tasks that live nodes are still running
	 * (and holding outcomes for). Waiting lets them heartbeat first. A node that is really dead
	 * is rescued at most one time to live later.
	 */
	private void rescueOrphans() {
		if (heartbeatFailedLately()) {
			return;
		}
		this.rescuer.runOnce();
	}

	/**
	 * Hand back the tasks this node shows as running but no longer holds, on the same terms.
	 */
	private void rescueStrays() {
		Collection<Long> held = this.held.get();
		if (held == null || heartbeatFailedLately()) {
			return;
		}
		this.rescuer.rescueStrays(held);
	}

	private boolean heartbeatFailedLately() {
		long failed = this.lastHeartbeatFailure;
		long ttl = this.settings.workerMonitorInterval().multipliedBy(2).toNanos();
		return failed != 0 && System.nanoTime() - failed < ttl;
	}

	private void repeat(ScheduledExecutorService executor, String what, Runnable action, Duration interval) {
		long millis = Math.max(interval.toMillis(), 1);
		executor.scheduleWithFixedDelay(() -> runQuietly(what, action), 0, millis, TimeUnit.MILLISECONDS);
	}

	private void runQuietly(String what, Runnable action) {
		try {
			runLogged(what, action);
		}
		catch (Error ex) {
			// Thrown by the logging of a failure, while the heap is still full: losing the log line
			// is better than losing the job.
		}
	}

	// A tick skipped because this node does not lead is neither a failure nor a recovery.
	private void repeatWhileLeading(ScheduledExecutorService executor, String what, Runnable action,
			Duration interval) {
		long millis = Math.max(interval.toMillis(), 1);
		executor.scheduleWithFixedDelay(() -> {
			if (this.elector.isLeader()) {
				runQuietly(what, action);
			}
		}, 0, millis, TimeUnit.MILLISECONDS);
	}

	/**
	 * Run one tick of a repeated job. An {@code Error} is caught too: one that escaped would
	 * cancel the job for good (so says {@code scheduleWithFixedDelay}), and a node that no
	 * longer heartbeats is declared dead while it still runs its tasks. A job that keeps
	 * failing, as every job does while the database is down, is logged when it starts failing
	 * and when it works again, not on every tick.
	 */
	private void runLogged(String what, Runnable action) {
		try {
			action.run();
			Long since = this.failingSince.remove(what);
			if (since != null) {
				logger.info("Could {} again after {} ms", what, (System.nanoTime() - since) / 1_000_000);
			}
		}
		catch (RuntimeException | Error ex) {
			if (this.failingSince.putIfAbsent(what, System.nanoTime()) == null) {
				logger.warn("Could not {}; trying again every tick until it works: {}", what, ex.toString());
			}
			else {
				logger.debug("Still could not {}: {}", what, ex.toString());
			}
		}
	}

	private static void shutdown(@Nullable ScheduledExecutorService executor) {
		if (executor == null) {
			return;
		}
		executor.shutdownNow();
		try {
			executor.awaitTermination(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * What the supervisor needs of the node's settings.
	 *
	 * @param nodeId this node
	 * @param workers its worker threads
	 * @param owner the owner of the tasks schedules enqueue
	 * @param resultTtl the TTL of tasks that set none
	 * @param lease the leader's lease
	 * @param workerMonitorInterval the heartbeat interval
	 * @param cleanInterval the pruning interval
	 * @param historyPerTask runs of each task kept past their TTL
	 * @param events whether a task failed on node loss writes its event to the outbox
	 */
	public record Settings(String nodeId, int workers, String owner, Duration resultTtl, Duration lease,
			Duration workerMonitorInterval, Duration cleanInterval, int historyPerTask, boolean events) {

	}

}
