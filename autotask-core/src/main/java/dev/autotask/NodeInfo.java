package dev.autotask;

import java.time.Instant;

/**
 * A node alive now: a process whose engine heartbeats in the task database.
 *
 * @param id the node's id ({@code autotask.node-id}, or generated)
 * @param startedAt when it registered, on the database clock
 * @param heartbeatAt its last heartbeat
 * @param expiresAt when it counts as dead unless it heartbeats again; its running tasks are
 * rescued then
 * @param workers how many tasks it runs at once
 * @param running the tasks {@code RUNNING} on it now, those it claimed ahead and has not started
 * yet included
 * @param claimedAhead of those, how many it had claimed ahead of its workers, not started yet, at
 * its last heartbeat
 * @see Autotask#nodes()
 */
public record NodeInfo(String id, Instant startedAt, Instant heartbeatAt, Instant expiresAt, int workers,
		int running, int claimedAhead) {

}
