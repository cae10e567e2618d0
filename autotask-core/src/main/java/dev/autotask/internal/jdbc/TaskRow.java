package dev.autotask.internal.jdbc;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One row of the task table, as the engine reads it.
 *
 * @param id the task's id
 * @param name the task's name
 * @param queue its queue
 * @param owner who started it
 * @param status its status, one of {@link dev.autotask.TaskStatus}'s names
 * @param args the JSON array of arguments
 * @param attempt attempts started, this one included while running
 * @param maxAttempts attempts allowed
 * @param createdAt when it was enqueued
 * @param runAt its earliest start
 * @param startedAt when the last attempt started
 * @param finishedAt when it ended
 * @param result the result JSON
 * @param error the error JSON
 * @param progress the progress JSON ({@code {"done": n, "total": m}})
 * @param checkpoint the cursor JSON of an iterative task
 * @param rescues how many times it was handed back from a dead node
 * @param startedBy the user it was started as, or {@code null}
 * @param traceContext the JSON object of the propagation fields of the trace that enqueued it,
 * or {@code null}
 */
public record TaskRow(long id, String name, String queue, String owner, String status, String args, int attempt,
		int maxAttempts, Instant createdAt, Instant runAt, @Nullable Instant startedAt, @Nullable Instant finishedAt,
		@Nullable String result, @Nullable String error, @Nullable String progress, @Nullable String checkpoint,
		int rescues, @Nullable String startedBy, @Nullable String traceContext) {

}
