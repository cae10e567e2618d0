package dev.autotask.internal.jdbc;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The SQL of {@code autotask_task} that the completer runs: the outcomes of many attempts, and
 * their events, in one statement. The table is created by {@code V1__create_autotask_task.sql}
 * (columns added by V2, V3, V4 and V7).
 */
public final class TaskOutcomeTable {

	// The outcomes of many attempts in one statement, each under the same guard as the single-row
	// statements: still RUNNING on this node, in the same attempt. A retry ('PENDING') keeps the
	// last result and clears the node; a success keeps the last attempt's error. A retry of a task
	// asked to stop is no retry: it ends CANCELLED with the failed attempt's error, read from the
	// row in this statement, so that no cancel committed before it is missed. error_search goes
	// with error: the start of its message, lower-cased, that the console searches (V22).
	// The guard compares each row with columns of the outcomes, not with constants, so that the
	// planner cannot estimate it from the column statistics: statistics gathered while no task was
	// running say that no row is RUNNING on this node, and the planner then scanned the whole
	// table once and joined each running row against every outcome (300 to 700 ms for 250
	// outcomes in a table of 20,000), instead of looking each outcome up by its id.
	private static final String END_MANY = """
			UPDATE %1$s AS task SET
				status = CASE WHEN outcome.status = 'PENDING' AND task.cancel_requested THEN 'CANCELLED'
					ELSE outcome.status END,
				result = CASE WHEN outcome.status = 'PENDING' AND NOT task.cancel_requested THEN task.result
					ELSE outcome.result::jsonb END,
				error = CASE WHEN outcome.status = 'SUCCESS' THEN task.error ELSE outcome.error::jsonb END,
				error_search = CASE WHEN outcome.status = 'SUCCESS' THEN task.error_search
					ELSE left(lower(outcome.error::jsonb->>'message'), 500) END,
				attempt_errors = CASE WHEN outcome.error IS NULL THEN task.attempt_errors
					ELSE coalesce(task.attempt_errors, '[]'::jsonb) || jsonb_build_array(jsonb_build_object(
						'attempt', task.attempt, 'at', now(), 'node', task.node_id,
						'type', outcome.error::jsonb->>'type', 'message', outcome.error::jsonb->>'message')) END,
				finished_at = CASE WHEN outcome.status = 'PENDING' AND NOT task.cancel_requested THEN task.finished_at
					ELSE now() END,
				expires_at = CASE WHEN outcome.status = 'PENDING' AND NOT task.cancel_requested THEN task.expires_at
					ELSE now() + task.ttl END,
				node_id = CASE WHEN outcome.status = 'PENDING' AND NOT task.cancel_requested THEN NULL
					ELSE task.node_id END,
				run_at = CASE WHEN outcome.status = 'PENDING' AND NOT task.cancel_requested
					THEN now() + outcome.delay_millis * interval '1 millisecond' ELSE task.run_at END
			FROM unnest(:ids::bigint[], :attempts::int[], :statuses::text[], :results::text[], :errors::text[],
				:delays::bigint[], array_fill(:node::text, ARRAY[:count]), array_fill('RUNNING'::text, ARRAY[:count]))
				AS outcome(id, attempt, status, result, error, delay_millis, node, running)
			WHERE task.id = outcome.id AND task.status = outcome.running AND task.node_id = outcome.node
				AND task.attempt = outcome.attempt
			RETURNING task.id, task.status%2$s""";

	// With events on, the ends and their events are one statement, as in TaskEvents.WITH_EVENT; a
	// retry is not an end and has no event. Identical notifications of one transaction are
	// delivered once.
	private static final String END_MANY_WITH_EVENTS = """
			WITH ended AS (%s),
			event AS (%s)
			SELECT id, status, CASE WHEN status <> 'PENDING' THEN pg_notify(:channel, 'outbox') END FROM ended""";

	private final JdbcClient jdbc;

	private final TaskEvents events;

	private final String endMany;

	/**
	 * Create the statements for one schema.
	 * @param dataSource the database
	 * @param names the table names
	 * @param events whether a task's end also writes its event to the outbox
	 */
	public TaskOutcomeTable(DataSource dataSource, TableNames names, boolean events) {
		this.jdbc = JdbcClient.create(dataSource);
		this.events = new TaskEvents(names, events);
		String table = names.task();
		this.endMany = events
				? END_MANY_WITH_EVENTS.formatted(
						END_MANY.formatted(table, ", task.name, task.owner, task.result, task.error"),
						this.events.insertEvents("status <> 'PENDING'"))
				: END_MANY.formatted(table, "");
	}

	/**
	 * Record the outcomes of many attempts in one statement (and, with events on, their events),
	 * each only if its attempt is still running on the node.
	 * @param node the node that ran them
	 * @param outcomes the outcomes, at most one per task
	 * @return the status written for each task whose outcome was recorded: the outcome's, or
	 * {@code CANCELLED} for a retry of a task asked to stop
	 */
	public Map<Long, String> endMany(String node, List<Outcome> outcomes) {
		int size = outcomes.size();
		Long[] ids = new Long[size];
		Integer[] attempts = new Integer[size];
		String[] statuses = new String[size];
		String[] results = new String[size];
		String[] errors = new String[size];
		Long[] delays = new Long[size];
		for (int i = 0; i < size; i++) {
			Outcome outcome = outcomes.get(i);
			ids[i] = outcome.id();
			attempts[i] = outcome.attempt();
			statuses[i] = outcome.status();
			results[i] = outcome.result();
			errors[i] = outcome.error();
			delays[i] = outcome.delay().toMillis();
		}
		JdbcClient.StatementSpec statement = this.jdbc.sql(this.endMany)
			.param("node", node)
			.param("count", size)
			.param("ids", ids)
			.param("attempts", attempts)
			.param("statuses", statuses)
			.param("results", results)
			.param("errors", errors)
			.param("delays", delays);
		Map<Long, String> written = new HashMap<>();
		this.events.withChannel(statement).query((rs) -> {
			written.put(rs.getLong(1), rs.getString(2));
		});
		return written;
	}

	/**
	 * How one attempt ended, to record with others.
	 *
	 * @param id the task
	 * @param attempt the attempt, as claimed
	 * @param status {@code SUCCESS}, {@code FAILURE}, {@code CANCELLED} (stopped on a cancel
	 * request), or {@code PENDING} for a retry
	 * @param result the result JSON (success and failure), or {@code null}
	 * @param error the error JSON (failure and retry), or {@code null}
	 * @param delay the wait before a retry, zero otherwise
	 */
	public record Outcome(long id, int attempt, String status, @Nullable String result, @Nullable String error,
			Duration delay) {

	}

}
