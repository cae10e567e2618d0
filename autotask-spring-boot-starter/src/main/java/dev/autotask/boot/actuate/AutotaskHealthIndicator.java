package dev.autotask.boot.actuate;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

import dev.autotask.Autotask;
import dev.autotask.NodeInfo;
import dev.autotask.engine.Engine;
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
 * A cluster without a leader for less than two leases is electing one, as after a leader
 * stopped or died: that is {@code UP} with {@code leader=electing}, so that a readiness probe
 * does not take every node out of service during a hand-over. Only a cluster that stays
 * without a leader for longer is {@code DOWN}.
 *
 * <p>
 * Details: {@code node} (this node's id), {@code engine} ({@code running}, {@code stopped} or
 * {@code disabled}), {@code leader} (the leading node's id, or {@code none}) and
 * {@code nodesAlive}.
 */
public final class AutotaskHealthIndicator extends AbstractHealthIndicator {

	private final Autotask autotask;

	private final String nodeId;

	private final @Nullable Engine engine;

	private final Duration electionGrace;

	private final InstantSource clock;

	private volatile Instant leaderLastSeen;

	/**
	 * Create the indicator.
	 * @param autotask reads the nodes and the leader
	 * @param nodeId this node's id
	 * @param engine this node's engine, or {@code null} where it is disabled
	 * @param lease the leader's lease ({@code autotask.lease})
	 */
	public AutotaskHealthIndicator(Autotask autotask, String nodeId, @Nullable Engine engine,
			Duration lease) {
		this(autotask, nodeId, engine, lease, InstantSource.system());
	}

	AutotaskHealthIndicator(Autotask autotask, String nodeId, @Nullable Engine engine,
			Duration lease, InstantSource clock) {
		super("autotask health check failed");
		this.autotask = autotask;
		this.nodeId = nodeId;
		this.engine = engine;
		this.electionGrace = lease.multipliedBy(2);
		this.clock = clock;
		// A node that just started gives the cluster the same time to elect a leader.
		this.leaderLastSeen = clock.instant();
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		// A database that does not answer throws here, and the base class reports DOWN with the error.
		String leader = this.autotask.leader().orElse(null);
		List<NodeInfo> alive = this.autotask.nodes();
		Instant now = this.clock.instant();
		if (leader != null) {
			this.leaderLastSeen = now;
		}
		boolean electing = (leader == null) && now.isBefore(this.leaderLastSeen.plus(this.electionGrace));
		builder.withDetail("node", this.nodeId)
			.withDetail("leader", (leader != null) ? leader : (electing ? "electing" : "none"))
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
		if (running && heartbeat && (leader != null || electing)) {
			builder.up();
		}
		else {
			builder.down();
		}
	}

}
