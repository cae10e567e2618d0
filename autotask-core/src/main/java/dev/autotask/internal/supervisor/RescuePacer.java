package dev.autotask.internal.supervisor;

import java.time.Duration;
import java.util.Collection;
import java.util.function.Supplier;

import dev.autotask.internal.jdbc.NodeTable;
import org.jspecify.annotations.Nullable;

/**
 * Decides when this node's {@link OrphanRescuer} looks, and whether it may.
 *
 * <p>
 * Rescues are not the leader's: every node rescues, when the next of the other nodes would
 * expire (read on the database clock) and at least every heartbeat interval. An orphan so waits
 * for its node's expiry only, at most two heartbeat intervals after the node's death, and not
 * for a new leader when the leader dies with it, nor for a tick that just missed the expiry.
 * Strays, the tasks this node shows as running but no longer holds, are looked for once every
 * clean interval; the tasks of an earlier process of this node's id, once at start.
 */
final class RescuePacer {

	// How long after a node's expiry the rescuers look: the expiry is read on the database clock,
	// the wait is timed on this one.
	private static final Duration EXPIRY_MARGIN = Duration.ofMillis(20);

	private final OrphanRescuer rescuer;

	private final NodeTable nodes;

	private final Heartbeater heartbeat;

	private final Supervisor.Settings settings;

	private final Supplier<@Nullable Collection<Long>> held;

	// Read and written by the rescuer's thread only: whether its next look reads the task table
	// whatever the nodes show, and when it last did (System.nanoTime()).
	private boolean sweepDue = true;

	private long lastSweep;

	/**
	 * Create the pacer of one node's rescues.
	 * @param rescuer the rescuer
	 * @param nodes the node table, which shows when the other nodes expire
	 * @param heartbeat this node's heartbeat, whose trouble the rescues wait out
	 * @param settings the node's settings
	 * @param held the tasks this node holds in memory, or {@code null} while it cannot tell
	 */
	RescuePacer(OrphanRescuer rescuer, NodeTable nodes, Heartbeater heartbeat, Supervisor.Settings settings,
			Supplier<@Nullable Collection<Long>> held) {
		this.rescuer = rescuer;
		this.nodes = nodes;
		this.heartbeat = heartbeat;
		this.settings = settings;
		this.held = held;
	}

	/**
	 * Hand back what an earlier process of this node's id left running, and read the whole task
	 * table on the next look for orphans: called as the node starts, once it has registered.
	 */
	void rescueEarlierLife() {
		this.sweepDue = true;
		this.rescuer.rescueEarlierLife();
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
	Duration rescueOrphans() {
		Duration interval = this.settings.workerMonitorInterval();
		long trouble = this.heartbeat.lastTrouble();
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
			this.heartbeat.troubled(System.nanoTime());
			throw ex;
		}
		long now = System.nanoTime();
		if (now - start > interval.toNanos()) {
			// This look waited for the database (for a connection, say): what it saw, and what a
			// rescue would see now, predates the other nodes' first heartbeats after the outage.
			this.heartbeat.troubled(now);
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
	void rescueStrays() {
		Collection<Long> held = this.held.get();
		if (held == null || this.heartbeat.troubleLately()) {
			return;
		}
		this.rescuer.rescueStrays(held);
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

}
