package dev.autotask.boot.actuate;

import java.util.List;

import dev.autotask.Autotask;
import dev.autotask.NodeInfo;
import dev.autotask.QueueInfo;
import dev.autotask.ScheduleInfo;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code autotask} actuator endpoint: each queue's counts by status and whether it is
 * paused, the nodes alive, the leader, and the schedules with their last and next fire. The
 * counts are totals of the cluster, every owner's tasks together: unlike the REST API, which
 * counts only the caller's owner's, this endpoint is for operators, behind the application's
 * Actuator security.
 */
@Endpoint(id = "autotask")
public class AutotaskEndpoint {

	private final Autotask autotask;

	/**
	 * Create the endpoint.
	 * @param autotask the API, which also reads totals of the cluster
	 */
	public AutotaskEndpoint(Autotask autotask) {
		this.autotask = autotask;
	}

	/**
	 * The state of autotask across the cluster.
	 * @return the queues, nodes, leader and schedules
	 */
	@ReadOperation
	public AutotaskDescriptor autotask() {
		return new AutotaskDescriptor(this.autotask.clusterQueues(), this.autotask.nodes(),
				this.autotask.leader().orElse(null), this.autotask.schedules());
	}

	/**
	 * What the endpoint answers.
	 *
	 * @param queues each queue's counts by status, over every owner, and whether it is paused
	 * @param nodes the nodes alive
	 * @param leader the leading node's id, or {@code null} if no lease is valid
	 * @param schedules the periodic and cron tasks
	 */
	public record AutotaskDescriptor(List<QueueInfo> queues, List<NodeInfo> nodes, @Nullable String leader,
			List<ScheduleInfo> schedules) implements OperationResponseBody {

	}

}
