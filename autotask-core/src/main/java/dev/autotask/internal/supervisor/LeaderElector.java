package dev.autotask.internal.supervisor;

import java.time.Duration;

import dev.autotask.internal.jdbc.LeaderTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;

/**
 * Keeps this node's claim on the supervisor marker: takes the lead when it is free, renews it
 * while held, and steps down when in doubt.
 *
 * <p>
 * The lease is measured on the database clock. A leader renews it every third of the lease,
 * so it survives two missed renewals. A node that does not lead tries again when the lease it
 * saw lapses, not at its next third: a leader killed right after a renewal is followed within
 * the lease of that renewal, not a third later. If a renewal fails or cannot be made (the database is
 * unreachable), the node stops acting as leader at once, although its lease may still run:
 * two leaders for a moment are harmless, since every fire is guarded by a unique key, but a
 * leader that cannot reach the database cannot lead anyway.
 */
public final class LeaderElector {

	private static final Logger logger = LoggerFactory.getLogger(LeaderElector.class);

	// How long after the lease lapses a node tries: the lapse is read on the database clock, the
	// wait is timed on this one.
	private static final Duration LAPSE_MARGIN = Duration.ofMillis(20);

	private final LeaderTable table;

	private final String nodeId;

	private final long leaseMillis;

	private volatile boolean leader;

	/**
	 * Create an elector.
	 * @param table the leader table
	 * @param nodeId this node
	 * @param leaseMillis the lease
	 */
	public LeaderElector(LeaderTable table, String nodeId, long leaseMillis) {
		this.table = table;
		this.nodeId = nodeId;
		this.leaseMillis = leaseMillis;
	}

	/**
	 * Try to take or renew the lead.
	 * @return whether this node leads now
	 */
	public boolean runOnce() {
		boolean was = this.leader;
		boolean is;
		try {
			is = was ? this.table.attemptReelect(this.nodeId, this.leaseMillis)
					: this.table.attemptElect(this.nodeId, this.leaseMillis);
		}
		catch (DataAccessException ex) {
			if (was) {
				logger.warn("Node {} steps down as leader: cannot renew its lease: {}", this.nodeId,
						ex.getMostSpecificCause().toString());
			}
			is = false;
		}
		if (is != was) {
			logger.info(is ? "Node {} now leads" : "Node {} lost the lead", this.nodeId);
		}
		this.leader = is;
		return is;
	}

	/**
	 * How long to wait before the next {@link #runOnce()}: a third of the lease while this node
	 * leads, and otherwise until the lease it does not hold lapses, if that is sooner.
	 * @return the wait
	 */
	public Duration untilNextTry() {
		Duration renew = Duration.ofMillis(this.leaseMillis / 3);
		if (this.leader) {
			return renew;
		}
		Duration lapse;
		try {
			lapse = this.table.untilLapse();
		}
		catch (DataAccessException ex) {
			return renew;
		}
		if (lapse == null || lapse.isNegative()) {
			// Free now, or freed since this node's try: try again at once.
			return Duration.ZERO;
		}
		Duration untilFree = lapse.plus(LAPSE_MARGIN);
		return (untilFree.compareTo(renew) < 0) ? untilFree : renew;
	}

	/**
	 * Whether this node led at its last election.
	 * @return whether it leads
	 */
	public boolean isLeader() {
		return this.leader;
	}

	/**
	 * Give up the lead, if held, so that another node can take it at once.
	 */
	public void resign() {
		boolean was = this.leader;
		this.leader = false;
		if (was) {
			try {
				this.table.resign(this.nodeId);
				logger.info("Node {} resigned as leader", this.nodeId);
			}
			catch (DataAccessException ex) {
				logger.warn("Node {} could not resign; its lease lapses by itself: {}", this.nodeId,
						ex.getMostSpecificCause().toString());
			}
		}
	}

}
