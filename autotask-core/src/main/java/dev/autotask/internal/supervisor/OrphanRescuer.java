package dev.autotask.internal.supervisor;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

import dev.autotask.internal.jdbc.TaskMaintenanceTable;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the RUNNING tasks of dead nodes back to PENDING, without spending their retries, or
 * fails those that asked for it. A node is dead once it missed its heartbeats for two
 * intervals; every node looks when the next of the others would expire (see
 * {@code RescuePacer}), one rescue at a time. It rescues only while its own node's heartbeat is
 * less than one and a half intervals old: a node that could not reach the database lately
 * cannot tell a dead node from one that could not reach it either.
 *
 * <p>
 * A node that starts under the id of a process that was killed hands back that process's
 * tasks itself, at once: nothing else could tell them from its own before it registered.
 *
 * <p>
 * A live node can lose track of a task too: a claim whose answer never arrived, an outcome
 * that could not be written while the heap was full. Nothing would ever end such a stray, so
 * each node hands back, on the same terms, the tasks it shows as running but no longer holds.
 */
public final class OrphanRescuer {

	private static final Logger logger = LoggerFactory.getLogger(OrphanRescuer.class);

	private final TaskMaintenanceTable table;

	private final TaskRegistry registry;

	private final String nodeId;

	private final Duration freshness;

	// How long the rescuer must have been alive without a break before it takes other nodes'
	// tasks: a node's time to live, in which every live node heartbeats at least once.
	private final Duration steadiness;

	// How long a claimed task may take to reach its node's hands: a claim that committed but
	// whose answer is still on its way is no stray.
	private final Duration grace;

	/**
	 * Create the rescuer.
	 * @param table the task table
	 * @param registry the tasks, for which of them fail on node loss
	 * @param nodeId the rescuing node, whose own heartbeat must be fresh
	 * @param heartbeatInterval how often nodes heartbeat
	 */
	public OrphanRescuer(TaskMaintenanceTable table, TaskRegistry registry, String nodeId, Duration heartbeatInterval) {
		this.table = table;
		this.registry = registry;
		this.nodeId = nodeId;
		this.freshness = heartbeatInterval.multipliedBy(3).dividedBy(2);
		this.grace = heartbeatInterval.multipliedBy(2);
		this.steadiness = heartbeatInterval.multipliedBy(2);
	}

	/**
	 * Rescue every task of a dead node.
	 * @return the ids of the tasks rescued
	 */
	public List<Long> runOnce() {
		List<Long> rescued = this.table.rescue(this.nodeId, this.freshness, this.steadiness, failNames());
		if (!rescued.isEmpty()) {
			logger.warn("Rescued {} task(s) from dead nodes: {}", rescued.size(), rescued);
		}
		return rescued;
	}

	/**
	 * Rescue the tasks an earlier process of this node's id left running when it died; called
	 * once the node has registered, before it claims.
	 * @return the ids of the tasks rescued
	 */
	public List<Long> rescueEarlierLife() {
		List<Long> rescued = this.table.rescueEarlierLife(this.nodeId, this.freshness, failNames());
		if (!rescued.isEmpty()) {
			logger.warn("Rescued {} task(s) an earlier process of node {} left running: {}", rescued.size(),
					this.nodeId, rescued);
		}
		return rescued;
	}

	/**
	 * Rescue every task that this live node shows as running but no longer holds in memory,
	 * claimed more than two heartbeat intervals ago.
	 * @param held the tasks the node holds
	 * @return the ids of the tasks rescued
	 */
	public List<Long> rescueStrays(Collection<Long> held) {
		List<Long> rescued = this.table.rescueStrays(this.nodeId, this.freshness, held, this.grace, failNames());
		if (!rescued.isEmpty()) {
			logger.warn("Rescued {} task(s) this node had lost track of: {}", rescued.size(), rescued);
		}
		return rescued;
	}

	private List<String> failNames() {
		return this.registry.definitions()
			.stream()
			.filter(TaskDefinition::failOnNodeLoss)
			.map(TaskDefinition::name)
			.toList();
	}

}
