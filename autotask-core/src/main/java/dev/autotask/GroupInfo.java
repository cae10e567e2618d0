package dev.autotask;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A group of tasks as an operator follows it: its counts, when it was sent, and how its
 * callback stands.
 *
 * @param group the group's counts and its callback task, once enqueued
 * @param createdAt when the group was sent
 * @param callbackStatus the callback task's status now, or {@code null} before it is enqueued
 * and after it was pruned
 * @see Autotask#groups(String, Long, int)
 */
public record GroupInfo(TaskGroup group, Instant createdAt, @Nullable TaskStatus callbackStatus) {

}
