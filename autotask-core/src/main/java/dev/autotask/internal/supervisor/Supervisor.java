package dev.autotask.internal.supervisor;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.autotask.internal.jdbc.FireTable;
import dev.autotask.internal.jdbc.LeaderTable;
import dev.autotask.internal.jdbc.NodeTable;
import dev.autotask.internal.jdbc.TableNames;
import dev.autotask.internal.jdbc.TaskMaintenanceTable;
import dev.autotask.task.TaskRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's part in keeping the cluster healthy: it heartbeats the node, takes part in the
 * leader election, rescues the tasks of dead nodes and, while it leads, fires schedules and
 * prunes old results. Every node also hands back its own stray tasks: those it shows as
 * running but no longer holds.
 *
 * <p>
 * Heartbeat and election run on a thread of their own, so that a slow maintenance job can
 * never make a live node look dead or cost it the lead; rescues run on another, so that
 * neither a slow heartbeat nor a long prune delays them.
 *
 * <p>
 * Rescues are not the leader's: every node rescues, when the next of the other nodes would
 * expire (read on the database clock) and at least every heartbeat interval. An orphan so waits
 * for its node's expiry only, at most two heartbeat intervals after the node's death, and not
 * for a new leader when the leader dies with it, nor for a tick that just missed the expiry.
 */
public final class Supervisor {

	private static final Logger logger = LoggerFactory.getLogger(Supervisor.class);

	/** How often the leader looks for due schedules. */
	static final Duration FIRE_INTERVAL = Duration.ofMillis(500);

	// How long after a node's expiry the rescuers look: the expiry is read on the database clock,
	// the wait is timed on this one.
	private static final Duration EXPIRY_MARGIN = Duration.ofMillis(20);

	// The shortest wait between two runs of a job that sets its own: never a busy loop.
	private static final long MIN_WAIT_MILLIS = 10;

	private final NodeTable nodes;

	private final LeaderElector elector;

	private final ScheduleFirer firer;

	private final OrphanRescuer rescuer;

	private final ResultPruner pruner;

	private final Settings settings;

	private final Supplier<@Nullable Collection<Long>> held;

	// When this node last had trouble heartbeating (System.nanoTime()), 0 if it never did: a
	// heartbeat that failed, or one that came too long after the one before (it waited for the
	// database, or the thread waited on an election that did).
	private volatile long lastHeartbeatTrouble;

	// When this node last heartbeated (System.nanoTime()), 0 before its first heartbeat.
	private volatile long lastHeartbeat;

	// The jobs that failed on their last tick, with the time of their first failure.
	private final Map<String, Long> failingSince = new ConcurrentHashMap<>();

	private @Nullable ScheduledExecutorService heartbeat;

	private @Nullable ScheduledExecutorService maintenance;

	private @Nullable ScheduledExecutorService rescues;

	// Read and written by the rescuer's thread only: whether its next look reads the task table
	// whatever the nodes show, and when it last did (System.nanoTime()).
	private boolean sweepDue = true;

	private long lastSweep;

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
		TaskMaintenanceTable tasks = new TaskMaintenanceTable(dataSource, names, settings.events());
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
	 * Register the node, hand back what an earlier process of its id left running, then start
	 * heartbeats, elections, rescues and, while leading, maintenance. The node is registered
	 * before this returns, so that its tasks never look orphaned; the tasks of an earlier
	 * process under the same id, killed before it could hand them back, do from then on, and
	 * this node hands them back itself before it claims anything.
	 */
	public synchronized void start() {
		this.nodes.register(this.settings.nodeId(), this.settings.workers(),
				this.settings.workerMonitorInterval().multipliedBy(2).toMillis());
		// A node that starts knows nothing of an outage that may have just ended, while the other
		// nodes may still be waiting to heartbeat again: it waits as if it had seen one.
		this.lastHeartbeat = System.nanoTime();
		this.lastHeartbeatTrouble = this.lastHeartbeat;
		this.sweepDue = true;
		runQuietly("rescue the tasks of an earlier process", this.rescuer::rescueEarlierLife);
		this.heartbeat = Executors.newSingleThreadScheduledExecutor((runnable) -> new Thread(runnable, "autotask-heartbeat"));
		this.maintenance = Executors
			.newSingleThreadScheduledExecutor((runnable) -> new Thread(runnable, "autotask-maintenance"));
		this.rescues = Executors.newSingleThreadScheduledExecutor((runnable) -> new Thread(runnable, "autotask-rescuer"));
		repeat(this.heartbeat, "heartbeat", this::heartbeat, this.settings.workerMonitorInterval());
		repeatAfterWait(this.heartbeat, "elect", () -> {
			this.elector.runOnce();
			return this.elector.untilNextTry();
		}, this.settings.lease().dividedBy(3));
		repeatAfterWait(this.rescues, "rescue orphaned tasks", this::rescueOrphans,
				this.settings.workerMonitorInterval());
		repeatWhileLeading(this.maintenance, "fire schedules", this.firer::runOnce, FIRE_INTERVAL);
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
		shutdown(this.rescues);
		shutdown(this.maintenance);
		shutdown(this.heartbeat);
		this.rescues = null;
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
		Duration interval = this.settings.workerMonitorInterval();
		try {
			this.nodes.heartbeat(this.settings.nodeId(), this.settings.workers(), interval.multipliedBy(2).toMillis());
		}
		catch (RuntimeException ex) {
			this.lastHeartbeatTrouble = System.nanoTime();
			throw ex;
		}
		long now = System.nanoTime();
		// A heartbeat that waited for the database (for a connection, say) succeeds once it is
		// back, without failing: the gap tells the outage all the same.
		if (now - this.lastHeartbeat > interval.multipliedBy(3).dividedBy(2).toNanos()) {
			this.lastHeartbeatTrouble = now;
		}
		this.lastHeartbeat = now;
	}

	/**
	 * Hand back the tasks of dead nodes, unless this node itself had trouble heartbeating less
	 * than a node's time to live (two heartbeat intervals) ago; then look again when the next
	 * of the other nodes would expire, or a heartbeat interval from now if that is sooner.
	 * Looking reads the whole task table (an index of the running rows misled the completer's
	 * plans), so it is done only when it may find something: when another node expired or
	 * registered in the last three intervals, on the first look after trouble, and otherwise
	 * once every clean interval, for the tasks of nodes nothing else would show.
	 * After an outage of the database longer than a heartbeat interval, other nodes look dead
	 * until their next heartbeat; rescuing at once would run a second time the tasks that live
	 * nodes are still running (and holding outcomes for). Waiting lets them heartbeat first. A
	 * node that is really dead is rescued at most one time to live after the outage.
	 * @return how long to wait before looking again
	 */
	private Duration rescueOrphans() {
		Duration interval = this.settings.workerMonitorInterval();
		long trouble = this.lastHeartbeatTrouble;
		long ttl = interval.multipliedBy(2).toNanos();
		long sinceTrouble = System.nanoTime() - trouble;
		if (trouble != 0 && sinceTrouble < ttl) {
			this.sweepDue = true;
			return min(Duration.ofNanos(ttl - sinceTrouble), interval);
		}
		long start = System.nanoTime();
		NodeTable.Changes changes;
		try {
			changes = this.nodes.findChanges(this.settings.nodeId(), interval.multipliedBy(3));
		}
		catch (RuntimeException ex) {
			// The database is away for the rescuer too: once it is back, it waits as after a
			// heartbeat that failed.
			this.lastHeartbeatTrouble = System.nanoTime();
			throw ex;
		}
		long now = System.nanoTime();
		if (now - start > interval.toNanos()) {
			// This look waited for the database (for a connection, say): what it saw, and what a
			// rescue would see now, predates the other nodes' first heartbeats after the outage.
			this.lastHeartbeatTrouble = now;
			this.sweepDue = true;
			return interval;
		}
		if (this.sweepDue || changes.recent() || now - this.lastSweep >= this.settings.cleanInterval().toNanos()) {
			this.rescuer.runOnce();
			this.sweepDue = false;
			this.lastSweep = now;
		}
		Duration untilExpiry = changes.untilNextExpiry();
		return (untilExpiry != null) ? min(untilExpiry.plus(EXPIRY_MARGIN), interval) : interval;
	}

	/**
	 * Hand back the tasks this node shows as running but no longer holds, on the same terms.
	 */
	private void rescueStrays() {
		Collection<Long> held = this.held.get();
		if (held == null || heartbeatTroubleLately()) {
			return;
		}
		this.rescuer.rescueStrays(held);
	}

	private boolean heartbeatTroubleLately() {
		long trouble = this.lastHeartbeatTrouble;
		long ttl = this.settings.workerMonitorInterval().multipliedBy(2).toNanos();
		return trouble != 0 && System.nanoTime() - trouble < ttl;
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	private void repeat(ScheduledExecutorService executor, String what, Runnable action, Duration interval) {
		long millis = Math.max(interval.toMillis(), 1);
		executor.scheduleWithFixedDelay(() -> runQuietly(what, action), 0, millis, TimeUnit.MILLISECONDS);
	}

	/**
	 * Run a job now and again after each wait it returns; the fallback wait follows a tick that
	 * failed.
	 */
	private void repeatAfterWait(ScheduledExecutorService executor, String what, Supplier<Duration> action,
			Duration fallback) {
		executor.execute(new Runnable() {

			@Override
			public void run() {
				Duration[] wait = { fallback };
				runQuietly(what, () -> wait[0] = action.get());
				try {
					executor.schedule(this, Math.max(wait[0].toMillis(), MIN_WAIT_MILLIS), TimeUnit.MILLISECONDS);
				}
				catch (RejectedExecutionException ex) {
					// Stopped.
				}
			}

		});
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
