package dev.autotask.internal.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.RowMapper;

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
 * @param attemptErrors the JSON array of the errors of its failed attempts (V11), or {@code null}
 * @param groupId the group it is a member of (V19), or {@code null} for none, and where it was not
 * read (a claim)
 */
public record TaskRow(long id, String name, String queue, String owner, String status, String args, int attempt,
		int maxAttempts, Instant createdAt, Instant runAt, @Nullable Instant startedAt, @Nullable Instant finishedAt,
		@Nullable String result, @Nullable String error, @Nullable String progress, @Nullable String checkpoint,
		int rescues, @Nullable String startedBy, @Nullable String traceContext, @Nullable String attemptErrors,
		@Nullable Long groupId) {

	// The columns of a whole row of autotask_task, in the names MAPPER reads. A claim reads fewer
	// (TaskClaimTable.CLAIM).
	static final String COLUMNS = """
			id, name, queue, owner, status, args::text AS args, attempt, max_attempts, created_at, run_at,
			started_at, finished_at, result::text AS result, error::text AS error, progress::text AS progress,
			checkpoint::text AS checkpoint, rescues, started_by, trace_context::text AS trace_context,
			attempt_errors::text AS attempt_errors, group_id""";

	static final RowMapper<TaskRow> MAPPER = TaskRow::mapRow;

	private static TaskRow mapRow(ResultSet rs, int row) throws SQLException {
		return new TaskRow(rs.getLong("id"), rs.getString("name"), rs.getString("queue"), rs.getString("owner"),
				rs.getString("status"), rs.getString("args"), rs.getInt("attempt"), rs.getInt("max_attempts"),
				instant(rs, "created_at"), instant(rs, "run_at"), instantOrNull(rs, "started_at"),
				instantOrNull(rs, "finished_at"), rs.getString("result"), rs.getString("error"), rs.getString("progress"),
				rs.getString("checkpoint"), rs.getInt("rescues"), rs.getString("started_by"), rs.getString("trace_context"),
				rs.getString("attempt_errors"), rs.getObject("group_id", Long.class));
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		return rs.getObject(column, OffsetDateTime.class).toInstant();
	}

	private static @Nullable Instant instantOrNull(ResultSet rs, String column) throws SQLException {
		OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
		return (value != null) ? value.toInstant() : null;
	}

}
