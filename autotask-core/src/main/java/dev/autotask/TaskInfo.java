package dev.autotask;

import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Everything known about one task, as read from the task table.
 *
 * @param id the task's id
 * @param name the registered task name
 * @param queue the queue it runs on
 * @param owner the application or tenant that started it
 * @param status its status
 * @param args its arguments as a JSON array
 * @param attempt attempts started so far
 * @param maxAttempts attempts allowed in all: the first run plus the retries
 * @param createdAt when it was enqueued
 * @param runAt the earliest time it may (next) start
 * @param startedAt when its last attempt started
 * @param finishedAt when it ended
 * @param result the result as JSON: the method's return value after success, or the
 * {@link TaskFailure} message after a fatal failure
 * @param error the error of the last failed attempt
 * @param progress the progress the task last reported, as JSON ({@code {"done": n, "total": m}})
 * @param rescues how many times it was handed back from a node that died
 * @param startedBy the user it was started as (see {@link SendOptions#startedBy(String)}), or
 * {@code null}
 * @param attemptErrors the errors of its failed attempts, oldest first (the last one is also
 * {@code error}, with its stack trace); attempts lost with their node count too
 * @param groupId the group it is a member of (see {@link Autotask#sendGroup}), or {@code null}
 * @see Autotask#status(long, String)
 */
public record TaskInfo(long id, String name, String queue, String owner, TaskStatus status, String args, int attempt,
		int maxAttempts, Instant createdAt, Instant runAt, @Nullable Instant startedAt, @Nullable Instant finishedAt,
		@Nullable String result, @Nullable TaskError error, @Nullable String progress, int rescues,
		@Nullable String startedBy, List<AttemptError> attemptErrors, @Nullable Long groupId) {

	/**
	 * Keep an unmodifiable copy of the attempt errors.
	 */
	public TaskInfo {
		attemptErrors = List.copyOf(attemptErrors);
	}

}
