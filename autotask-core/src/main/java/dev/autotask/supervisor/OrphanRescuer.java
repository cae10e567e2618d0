package dev.autotask.supervisor;

import java.time.Duration;
import java.util.List;

import dev.autotask.jdbc.TaskTable;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the RUNNING tasks of dead nodes back to PENDING, without spending their retries, or
 * fails those that asked for it. A node is dead once it missed its heartbeats for two
 * intervals; the leader looks every interval. It rescues only while its own node's heartbeat
 * is less than one and a half intervals old: a leader that could not reach the database lately
 * cannot tell a dead node from one that could not reach it either.
 */
public final class OrphanRescuer {

	private static final Logger logger = LoggerFactory.getLogger(OrphanRescuer.class);

	private final TaskTable table;

	private final TaskRegistry registry;

	private final String nodeId;

	private final Duration freshness;

	/**
	 * Create the rescuer.
	 * @param table the task table
	 * @param registry the tasks, for which of them fail on node loss
	 * @param nodeId the rescuing node, whose own heartbeat must be fresh
	 * @param heartbeatInterval how often nodes heartbeat
	 */
	public OrphanRescuer(TaskTable table, TaskRegistry registry, String nodeId, Duration heartbeatInterval) {
		this.table = table;
		this.registry = registry;
		this.nodeId = nodeId;
		this.freshness = heartbeatInterval.multipliedBy(3).dividedBy(2);
	}

	/**
	 * Rescue every task of a dead node.
	 * @return the ids of the tasks rescued
	 */
	public List<Long> runOnce() {
		List<String> failNames = this.registry.definitions()
			.stream()
			.filter(TaskDefinition::failOnNodeLoss)
			.map(TaskDefinition::name)
			.toList();
		List<Long> rescued = this.table.rescue(this.nodeId, this.freshness, failNames);
		if (!rescued.isEmpty()) {
			logger.warn("Rescued {} task(s) from dead nodes: {}", rescued.size(), rescued);
		}
		return rescued;
	}

}
