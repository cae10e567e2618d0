package dev.autotask.boot.actuate;

import java.util.List;

import dev.autotask.engine.Engine;
import dev.autotask.jdbc.LeaderTable;
import dev.autotask.jdbc.NodeTable;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of autotask on this node: {@code UP} when the database answers, this node's engine
 * runs and its heartbeat is current, and a node holds a valid leader lease; {@code DOWN}
 * otherwise. Where the engine is disabled ({@code autotask.enabled=false}) only the database
 * counts, with the detail {@code engine=disabled}.
 *
 * <p>
 * Details: {@code node} (this node's id), {@code engine} ({@code running}, {@code stopped} or
 * {@code disabled}), {@code leader} (the leading node's id, or {@code none}) and
 * {@code nodesAlive}.
 */
public final class AutotaskHealthIndicator extends AbstractHealthIndicator {

	private final LeaderTable leaders;

	private final NodeTable nodes;

	private final String nodeId;

	private final @Nullable Engine engine;

	/**
	 * Create the indicator.
	 * @param leaders the leader table
	 * @param nodes the node table
	 * @param nodeId this node's id
	 * @param engine this node's engine, or {@code null} where it is disabled
	 */
	public AutotaskHealthIndicator(LeaderTable leaders, NodeTable nodes, String nodeId, @Nullable Engine engine) {
		super("autotask health check failed");
		this.leaders = leaders;
		this.nodes = nodes;
		this.nodeId = nodeId;
		this.engine = engine;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		// A database that does not answer throws here, and the base class reports DOWN with the error.
		String leader = this.leaders.findLeader();
		List<NodeTable.Node> alive = this.nodes.findAlive();
		builder.withDetail("node", this.nodeId)
			.withDetail("leader", (leader != null) ? leader : "none")
			.withDetail("nodesAlive", alive.size());
		if (this.engine == null) {
			builder.up().withDetail("engine", "disabled");
			return;
		}
		boolean running = this.engine.isRunning();
		boolean heartbeat = alive.stream().anyMatch((node) -> node.id().equals(this.nodeId));
		builder.withDetail("engine", running ? "running" : "stopped");
		if (running && !heartbeat) {
			builder.withDetail("heartbeat", "lapsed");
		}
		if (running && heartbeat && leader != null) {
			builder.up();
		}
		else {
			builder.down();
		}
	}

}
