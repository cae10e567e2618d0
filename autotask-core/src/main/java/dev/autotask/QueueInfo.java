package dev.autotask;

import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A queue: how many of its tasks are in each status, and whether it is paused.
 *
 * @param name the queue's name
 * @param counts the owner's tasks by status (every owner's, where the caller reads totals
 * of the cluster); statuses without tasks are left out
 * @param paused whether the queue is paused on every node
 * @param oldestPendingAge how long the oldest pending task that is due has waited past its
 * time (the queue's latency), on the database clock; {@code null} when no task is due
 * @see Autotask#queues(String)
 */
public record QueueInfo(String name, Map<TaskStatus, Long> counts, boolean paused,
		@Nullable Duration oldestPendingAge) {

}
