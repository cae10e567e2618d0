package dev.autotask.internal.supervisor;

import java.time.Duration;
import java.util.function.IntSupplier;

import dev.autotask.internal.jdbc.NodeTable;

/**
 * Keeps this node's row in {@code autotask_node} alive: registers it, heartbeats it every
 * worker-monitor interval with how many tasks the node holds claimed ahead of its workers, and
 * deregisters it. It also remembers when this node last had
 * trouble heartbeating, which the rescues wait out (see {@link RescuePacer}): a heartbeat that
 * failed, or one that came too long after the one before (it waited for the database, or the
 * thread waited on an election that did).
 */
final class Heartbeater {

	private final NodeTable nodes;

	private final Supervisor.Settings settings;

	private final IntSupplier claimedAhead;

	// When this node last had trouble heartbeating (System.nanoTime()), 0 if it never did.
	private volatile long lastTrouble;

	// When this node last heartbeated (System.nanoTime()), 0 before its first heartbeat.
	private volatile long lastHeartbeat;

	/**
	 * Create the heartbeater of one node.
	 * @param nodes the node table
	 * @param settings the node's settings: its row expires two worker-monitor intervals after a
	 * heartbeat
	 * @param claimedAhead how many tasks the node holds claimed ahead of its workers, now
	 */
	Heartbeater(NodeTable nodes, Supervisor.Settings settings, IntSupplier claimedAhead) {
		this.nodes = nodes;
		this.settings = settings;
		this.claimedAhead = claimedAhead;
	}

	/**
	 * Register the node.
	 */
	void register() {
		this.nodes.register(this.settings.nodeId(), this.settings.workers(), ttl().toMillis());
		// A node that starts knows nothing of an outage that may have just ended, while the other
		// nodes may still be waiting to heartbeat again: it waits as if it had seen one.
		this.lastHeartbeat = System.nanoTime();
		this.lastTrouble = this.lastHeartbeat;
	}

	/**
	 * Heartbeat once.
	 */
	void runOnce() {
		Duration interval = this.settings.workerMonitorInterval();
		try {
			this.nodes.heartbeat(this.settings.nodeId(), this.settings.workers(), ttl().toMillis(),
					this.claimedAhead.getAsInt());
		}
		catch (RuntimeException ex) {
			this.lastTrouble = System.nanoTime();
			throw ex;
		}
		long now = System.nanoTime();
		// A heartbeat that waited for the database (for a connection, say) succeeds once it is
		// back, without failing: the gap tells the outage all the same.
		if (now - this.lastHeartbeat > interval.multipliedBy(3).dividedBy(2).toNanos()) {
			this.lastTrouble = now;
		}
		this.lastHeartbeat = now;
	}

	/**
	 * Deregister the node.
	 */
	void deregister() {
		this.nodes.delete(this.settings.nodeId());
	}

	/**
	 * When this node last had trouble with the database.
	 * @return the time, as {@link System#nanoTime()}, or 0 if it never had
	 */
	long lastTrouble() {
		return this.lastTrouble;
	}

	/**
	 * Record trouble with the database that another job of this node had: the rescues wait it
	 * out as if a heartbeat had failed.
	 * @param at when, as {@link System#nanoTime()}
	 */
	void troubled(long at) {
		this.lastTrouble = at;
	}

	/**
	 * Whether this node had trouble with the database less than a node's time to live (two
	 * heartbeat intervals) ago.
	 * @return whether it did
	 */
	boolean troubleLately() {
		long trouble = this.lastTrouble;
		return trouble != 0 && System.nanoTime() - trouble < ttl().toNanos();
	}

	// A node's time to live: two heartbeat intervals.
	private Duration ttl() {
		return this.settings.workerMonitorInterval().multipliedBy(2);
	}

}
