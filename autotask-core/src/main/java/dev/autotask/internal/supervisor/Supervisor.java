package dev.autotask.internal.supervisor;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.autotask.internal.jdbc.FireTable;
import dev.autotask.internal.jdbc.LeaderTable;
import dev.autotask.internal.jdbc.NodeTable;
import dev.autotask.internal.jdbc.QueueMinuteTable;
import dev.autotask.internal.jdbc.RuntimeScheduleTable;
import dev.autotask.internal.jdbc.TableNames;
import dev.autotask.internal.jdbc.TaskMaintenanceTable;
import dev.autotask.task.TaskRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's part in keeping the cluster healthy: it heartbeats the node ({@code Heartbeater}),
 * takes part in the leader election ({@link LeaderElector}), rescues the tasks of dead nodes
 * ({@code RescuePacer}) and, while it leads, fires schedules, prunes old results a slice at a
 * time ({@code PrunePacer}) and samples the queues once a minute ({@code QueueSampler}). Every
 * node also hands back its own stray tasks: those it shows as running but no longer holds, and
 * adds the tasks it ended to the queues' minutes with each heartbeat ({@code CountFlusher}).
 *
 * <p>
 * Heartbeat and election run on a thread of their own, so that a slow maintenance job can
 * never make a live node look dead or cost it the lead; rescues run on another, so that
 * neither a slow heartbeat nor a long prune delays them. A {@code Repeater} keeps each job
 * going whatever it throws.
 */
public final class Supervisor {

	private static final Logger logger = LoggerFactory.getLogger(Supervisor.class);

	/** How often the leader looks for due schedules. */
	static final Duration FIRE_INTERVAL = Duration.ofMillis(500);

	/** How often the leader samples the depth of the queues (see {@code QueueSampler}). */
	static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(30);

	private final NodeTable nodes;

	private final Heartbeater heartbeater;

	private final LeaderElector elector;

	private final ScheduleFirer firer;

	private final RescuePacer rescues;

	private final ResultPruner pruner;

	private final OutcomeCounts counts = new OutcomeCounts();

	private final CountFlusher flusher;

	private final QueueSampler sampler;

	private final Settings settings;

	private final Repeater repeater = new Repeater();

	private @Nullable ScheduledExecutorService heartbeat;

	private @Nullable ScheduledExecutorService maintenance;

	private @Nullable ScheduledExecutorService rescuing;

	/**
	 * Create the supervisor of one node.
	 * @param dataSource the database
	 * @param names the table names
	 * @param registry the tasks and schedules
	 * @param settings the node's settings
	 * @param held the tasks this node holds in memory, or {@code null} while it cannot tell: a
	 * task {@code RUNNING} here but not held is a stray, handed back
	 * @param claimedAhead how many tasks the node holds claimed ahead of its workers, reported
	 * with each heartbeat
	 */
	public Supervisor(DataSource dataSource, TableNames names, TaskRegistry registry, Settings settings,
			Supplier<@Nullable Collection<Long>> held, IntSupplier claimedAhead) {
		// With events on, a task failed on node loss has its event too.
		TaskMaintenanceTable tasks = new TaskMaintenanceTable(dataSource, names, settings.events());
		this.nodes = new NodeTable(dataSource, names);
		this.heartbeater = new Heartbeater(this.nodes, settings, claimedAhead);
		this.elector = new LeaderElector(new LeaderTable(dataSource, names), settings.nodeId(),
				settings.lease().toMillis());
		this.firer = new ScheduleFirer(new FireTable(dataSource, names), registry,
				new RuntimeScheduleTable(dataSource, names)::findAll, settings.owner(), settings.resultTtl());
		this.rescues = new RescuePacer(
				new OrphanRescuer(tasks, registry, settings.nodeId(), settings.workerMonitorInterval()), this.nodes,
				this.heartbeater, settings, held);
		this.pruner = new ResultPruner(tasks, settings.historyPerTask());
		QueueMinuteTable minutes = new QueueMinuteTable(dataSource, names);
		this.flusher = new CountFlusher(this.counts, minutes);
		this.sampler = new QueueSampler(minutes, SAMPLE_INTERVAL);
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
		this.heartbeater.register();
		this.repeater.runQuietly("rescue the tasks of an earlier process", this.rescues::rescueEarlierLife);
		this.heartbeat = Repeater.thread("autotask-heartbeat");
		this.maintenance = Repeater.thread("autotask-maintenance");
		this.rescuing = Repeater.thread("autotask-rescuer");
		Duration interval = this.settings.workerMonitorInterval();
		this.repeater.repeat(this.heartbeat, "heartbeat", this.heartbeater::runOnce, interval);
		// One small statement per heartbeat; it keeps its counts when it fails, so a failure here
		// never costs the heartbeat anything.
		this.repeater.repeat(this.heartbeat, "flush queue counts", this.flusher::runOnce, interval);
		this.repeater.repeatAfterWait(this.heartbeat, "elect", () -> {
			this.elector.runOnce();
			return this.elector.untilNextTry();
		}, this.settings.lease().dividedBy(3));
		this.repeater.repeatAfterWait(this.rescuing, "rescue orphaned tasks", this.rescues::rescueOrphans, interval);
		this.repeater.repeatWhile(this.maintenance, this.elector::isLeader, "fire schedules", this.firer::runOnce,
				FIRE_INTERVAL);
		// Strays are rare (a claim whose answer was lost, an outcome that could not be written), and
		// each must wait out a grace anyway: once a clean interval is soon enough. The look itself is
		// cheap, V10's index of the running rows (TaskMaintenanceTablePlanIT).
		this.repeater.repeat(this.maintenance, "rescue stray tasks", this.rescues::rescueStrays,
				this.settings.cleanInterval());
		PrunePacer pruning = new PrunePacer(this.pruner::runSlice, this.nodes::deleteExpired, this.elector::isLeader,
				this.settings.cleanInterval(), System::nanoTime);
		this.repeater.repeatAfterWait(this.maintenance, "prune results", pruning::runOnce,
				this.settings.cleanInterval());
		this.repeater.repeatWhile(this.maintenance, this.elector::isLeader, "sample queues", this.sampler::runIfDue,
				FIRE_INTERVAL);
	}

	/**
	 * Stop maintenance, resign the lead and deregister the node.
	 */
	public synchronized void stop() {
		Repeater.shutdown(this.rescuing);
		Repeater.shutdown(this.maintenance);
		Repeater.shutdown(this.heartbeat);
		this.rescuing = null;
		this.maintenance = null;
		this.heartbeat = null;
		// What ended since the last heartbeat: the engine has stopped its workers by now.
		this.repeater.runQuietly("flush queue counts", this.flusher::runOnce);
		this.elector.resign();
		try {
			this.heartbeater.deregister();
		}
		catch (RuntimeException ex) {
			logger.warn("Node {} could not deregister; it expires by itself: {}", this.settings.nodeId(),
					ex.toString());
		}
	}

	/**
	 * Hold an election now rather than at the next tick: the leader just resigned.
	 */
	public synchronized void electSoon() {
		if (this.heartbeat != null) {
			this.heartbeat.execute(() -> this.repeater.runQuietly("elect", this.elector::runOnce));
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

	/**
	 * Where this node's workers count the tasks they end, for the queues' charts.
	 * @return the counts
	 */
	public OutcomeCounts counts() {
		return this.counts;
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
