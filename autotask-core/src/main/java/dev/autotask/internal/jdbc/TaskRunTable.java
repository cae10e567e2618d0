package dev.autotask.internal.jdbc;

import java.time.Duration;
import java.util.Optional;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The SQL of {@code autotask_task} that a running attempt writes from its worker: its progress
 * and checkpoints, a snooze, the next link of a chain, and the ends written one at a time. The
 * table is created by {@code V1__create_autotask_task.sql} (columns added by V2, V3, V4 and V7).
 *
 * <p>
 * Every statement that changes a running task checks that it is still {@code RUNNING} on the
 * calling node, in the same attempt: a task that was taken away (recovered from a node declared
 * dead) is not overwritten by its old runner.
 */
public final class TaskRunTable {

	private static final String COMPLETE = """
			UPDATE %s SET status = 'SUCCESS', result = :result::jsonb, finished_at = now(), expires_at = now() + ttl
			WHERE id = :id AND status = 'RUNNING' AND node_id = :node AND attempt = :attempt""";

	// The next link of a chain, only while no cancel was requested for the current one: checked
	// in this statement, under a lock on the current link, so that a cancel either commits first
	// and is seen here, or waits for this transaction and then sees (and cancels) the new link.
	// The link keeps the chain's concurrency key and its limits: a chain is one piece of work.
	private static final String INSERT_NEXT = """
			WITH current AS (
				SELECT name, queue, owner, priority, ttl, coalesce(chain_id, id) AS chain_id, started_by, trace_context,
					concurrency_key, concurrency_limit, key_rate_micros
				FROM %1$s
				WHERE id = :id AND NOT cancel_requested
				FOR NO KEY UPDATE),
			next AS (
				INSERT INTO %1$s (name, queue, owner, args, priority, run_at, max_attempts, ttl, chain_id, started_by,
					trace_context, concurrency_key, concurrency_limit, key_rate_micros)
				SELECT name, queue, owner, :args::jsonb, priority, now(), :maxAttempts, ttl, chain_id, started_by,
					trace_context, concurrency_key, concurrency_limit, key_rate_micros
				FROM current
				RETURNING id, concurrency_key)
			SELECT id, pg_notify(:channel, CASE WHEN concurrency_key IS NULL THEN '' ELSE '%2$s' END) FROM next""";

	private static final String IS_CANCEL_REQUESTED = "SELECT cancel_requested FROM %s WHERE id = :id";

	private static final String REPORT_PROGRESS = """
			UPDATE %s SET progress = jsonb_build_object('done', :done, 'total', :total)
			WHERE id = :id AND status = 'RUNNING' AND node_id = :node AND attempt = :attempt""";

	// Save an iterative task's cursor. Run in the chunk's own transaction: if the task was taken
	// from this node meanwhile, nothing is saved and the caller rolls the chunk back.
	private static final String SAVE_CHECKPOINT = """
			UPDATE %s SET checkpoint = :checkpoint::jsonb,
				progress = jsonb_build_object('done', coalesce((progress->>'done')::bigint, 0) + 1, 'total', -1)
			WHERE id = :id AND status = 'RUNNING' AND node_id = :node AND attempt = :attempt""";

	// Back to PENDING for later without spending the attempt: the next claim counts it again.
	// Unless a cancel was requested: then the task ends CANCELLED instead of running again. Read
	// in this statement, so that no cancel that committed before it is missed.
	private static final String SNOOZE = """
			UPDATE %s SET status = CASE WHEN cancel_requested THEN 'CANCELLED' ELSE 'PENDING' END,
				node_id = CASE WHEN cancel_requested THEN node_id END,
				attempt = CASE WHEN cancel_requested THEN attempt ELSE attempt - 1 END,
				run_at = CASE WHEN cancel_requested THEN run_at
					ELSE now() + :delayMillis * interval '1 millisecond' END,
				finished_at = CASE WHEN cancel_requested THEN now() ELSE finished_at END,
				expires_at = CASE WHEN cancel_requested THEN now() + ttl ELSE expires_at END
			WHERE id = :id AND status = 'RUNNING' AND node_id = :node AND attempt = :attempt
			RETURNING id, name, owner, status, result, error""";

	private final JdbcClient jdbc;

	private final TableNames names;

	private final TaskEvents events;

	private final String complete;

	private final String insertNext;

	private final String isCancelRequested;

	private final String reportProgress;

	private final String saveCheckpoint;

	private final String snooze;

	/**
	 * Create the statements for one schema.
	 * @param dataSource the database
	 * @param names the table names
	 * @param events whether a task's end also writes its event to the outbox
	 */
	public TaskRunTable(DataSource dataSource, TableNames names, boolean events) {
		this.jdbc = JdbcClient.create(dataSource);
		this.names = names;
		this.events = new TaskEvents(names, events);
		String table = names.task();
		this.complete = this.events.withEvent(COMPLETE.formatted(table));
		this.insertNext = INSERT_NEXT.formatted(table, TaskClientTable.KEYED_PAYLOAD);
		this.isCancelRequested = IS_CANCEL_REQUESTED.formatted(table);
		this.reportProgress = REPORT_PROGRESS.formatted(table);
		this.saveCheckpoint = SAVE_CHECKPOINT.formatted(table);
		this.snooze = this.events.withCancelEvents(SNOOZE.formatted(table));
	}

	/**
	 * Record a success.
	 * @param task the task, as claimed
	 * @param node the node that ran it
	 * @param result the result JSON, or {@code null}
	 * @return whether this attempt was still running on the node
	 */
	public boolean complete(TaskRow task, String node, @Nullable String result) {
		return this.events.ended(this.jdbc.sql(this.complete)
			.param("id", task.id())
			.param("attempt", task.attempt())
			.param("node", node)
			.param("result", result));
	}

	/**
	 * Enqueue the next link of a task's chain: the same task, owner, queue, priority and TTL,
	 * with new arguments. Run in the transaction that ends the current link.
	 * @param task the current link, as claimed
	 * @param args the next link's arguments JSON
	 * @param maxAttempts the attempts the next link allows
	 * @return the next link's id, or empty if a cancel was requested for the current link: the
	 * chain stops there
	 */
	public Optional<Long> insertNext(TaskRow task, String args, int maxAttempts) {
		return this.jdbc.sql(this.insertNext)
			.param("id", task.id())
			.param("args", args)
			.param("maxAttempts", maxAttempts)
			.param("channel", this.names.channel())
			.query((rs, row) -> rs.getLong(1))
			.optional();
	}

	/**
	 * Whether a cancel was requested for a task.
	 * @param id the task
	 * @return whether to stop
	 */
	public boolean isCancelRequested(long id) {
		return this.jdbc.sql(this.isCancelRequested).param("id", id).query(Boolean.class).optional().orElse(true);
	}

	/**
	 * Record a running task's progress.
	 * @param task the task, as claimed
	 * @param node the node running it
	 * @param done items done
	 * @param total items in all, or -1 if unknown
	 */
	public void reportProgress(TaskRow task, String node, long done, long total) {
		this.jdbc.sql(this.reportProgress)
			.param("id", task.id())
			.param("attempt", task.attempt())
			.param("node", node)
			.param("done", done)
			.param("total", total)
			.update();
	}

	/**
	 * Save an iterative task's cursor and count the chunk.
	 * @param task the task, as claimed
	 * @param node the node running it
	 * @param checkpoint the cursor JSON
	 * @return whether this attempt was still running on the node
	 */
	public boolean saveCheckpoint(TaskRow task, String node, String checkpoint) {
		return this.jdbc.sql(this.saveCheckpoint)
			.param("id", task.id())
			.param("attempt", task.attempt())
			.param("node", node)
			.param("checkpoint", checkpoint)
			.update() == 1;
	}

	/**
	 * Put a running task back to pending for later, without spending its attempt; or, if a
	 * cancel was requested for it, end it {@code CANCELLED} (with its event, when events are on).
	 * @param task the task, as claimed
	 * @param node the node running it
	 * @param delay how long to wait
	 * @return {@code PENDING} or {@code CANCELLED}, or empty if this attempt was no longer
	 * running on the node
	 */
	public Optional<String> snooze(TaskRow task, String node, Duration delay) {
		return this.events.withChannel(this.jdbc.sql(this.snooze)
			.param("id", task.id())
			.param("attempt", task.attempt())
			.param("node", node)
			.param("delayMillis", delay.toMillis())).query((rs, row) -> rs.getString("status")).optional();
	}

}
