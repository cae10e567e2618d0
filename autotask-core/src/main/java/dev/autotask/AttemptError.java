package dev.autotask;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * The error of one failed attempt of a task, kept when the next attempt's error takes its place.
 *
 * @param attempt the attempt's number, from 1
 * @param at when it ended, on the database clock
 * @param node the node it ran on, or {@code null} if not known
 * @param type the exception's class name, or {@code dev.autotask.NodeLost} for an attempt lost
 * with its node
 * @param message the exception's message, or {@code null}
 * @see TaskInfo#attemptErrors()
 */
public record AttemptError(int attempt, Instant at, @Nullable String node, String type, @Nullable String message) {

}
