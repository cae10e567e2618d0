package dev.autotask;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One fire of a periodic or cron task.
 *
 * @param fireAt when it fired
 * @param taskId the task it enqueued, or {@code null} if it was skipped (the previous run was
 * still busy, the schedule was paused, or it is the mark a new schedule counts from)
 * @param status that task's status now, or {@code null} if it enqueued none or the task was
 * pruned
 * @see Autotask#fires(String, int)
 */
public record FireInfo(Instant fireAt, @Nullable Long taskId, @Nullable TaskStatus status) {

}
