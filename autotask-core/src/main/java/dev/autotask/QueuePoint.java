package dev.autotask;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One point of a queue's recent activity, as the admin page charts it: the tasks of one owner
 * that ended in a stretch of time (a minute, or a longer bucket over a long window), and the
 * queue's depth and oldest age sampled in it.
 *
 * <p>
 * Counts are of tasks that ended for good: a failed attempt that is retried counts only when
 * its task ends. Tasks failed by the rescue of a dead node, and cancelled ones, are not
 * counted. Each node adds its counts to the database every heartbeat, so that a task shows in
 * the point of the minute its node flushed it, seconds after it ended.
 *
 * @param start when the bucket starts, on the database clock
 * @param length how long the bucket is: one minute, or more for a long window
 * @param succeeded the owner's tasks of the queue that succeeded in it
 * @param failed the owner's tasks of the queue that failed for good in it
 * @param depth the most due pending tasks the queue held at a sample in it (taken by the
 * leader once a minute); {@code null} if none was taken: no leader ran, or the queue was idle
 * and empty
 * @param oldestPendingAge the longest the oldest due pending task had waited past its time at a
 * sample in it; zero if none was due, {@code null} if no sample was taken
 * @see Autotask#queueStats(String, Duration, String)
 */
public record QueuePoint(Instant start, Duration length, long succeeded, long failed, @Nullable Long depth,
		@Nullable Duration oldestPendingAge) {

}
