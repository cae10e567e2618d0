package dev.autotask.internal.jdbc;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.sql.DataSource;

import dev.autotask.TaskQuery;
import dev.autotask.TaskStatus;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The SQL of {@code autotask_task} (V1) that an operator runs: find tasks across all names by
 * status, queue, time and text, count them, and act on them (retry, run now, delete), one or
 * many. Always scoped to one owner.
 *
 * <p>
 * The filter is assembled from the constant clauses below, one per criterion given, so that the
 * planner sees only the criteria that apply and can use their indexes; every value is a
 * parameter. Pages are keyset-paged on the id, newest first: a deep page costs what the first
 * does.
 */
public final class TaskConsoleTable {

	private static final String COUNT = """
			SELECT status, count(*)
			FROM %s
			WHERE owner = :owner%s
			GROUP BY status""";

	private static final String DELETE_MANY = """
			DELETE FROM %s
			WHERE id = ANY(:ids)
			  AND owner = :owner
			  AND status <> 'RUNNING'""";

	private static final String DELETE_ONE = """
			DELETE FROM %s
			WHERE id = :id
			  AND owner = :owner
			  AND status <> 'RUNNING'
			RETURNING status""";

	private static final String FIND = """
			SELECT %s
			FROM %s
			WHERE owner = :owner%s
			ORDER BY id DESC
			LIMIT :limit""";

	private static final String FIND_IDS = """
			SELECT id
			FROM %s
			WHERE owner = :owner%s
			ORDER BY id DESC
			LIMIT :limit""";

	private static final String FIND_STATUS = "SELECT status FROM %s WHERE id = :id AND owner = :owner";

	// A retry in place: the same row, with one attempt more than it has made, due now. Its error
	// stays until the new attempt ends. A task whose unique key another task now holds (pending or
	// running) is left alone: the unique index would refuse it.
	private static final String RETRY_MANY = """
			UPDATE %1$s AS task
			SET status = 'PENDING', run_at = now(), max_attempts = task.attempt + 1, node_id = NULL,
				finished_at = NULL, expires_at = NULL, result = NULL, cancel_requested = false
			WHERE task.id = ANY(:ids)
			  AND task.owner = :owner
			  AND task.status IN ('FAILURE', 'CANCELLED')
			  AND (task.unique_key IS NULL OR NOT EXISTS (
				SELECT 1 FROM %1$s AS other
				WHERE other.name = task.name AND other.owner = task.owner AND other.unique_key = task.unique_key
				  AND other.status IN ('PENDING', 'RUNNING')))
			RETURNING task.id, pg_notify(:channel, '')""";

	private static final String RUN_NOW_MANY = """
			UPDATE %s
			SET run_at = now()
			WHERE id = ANY(:ids)
			  AND owner = :owner
			  AND status = 'PENDING'
			  AND run_at > now()
			RETURNING id, pg_notify(:channel, '')""";

	private static final String BEFORE = "\n  AND id < :before";

	private static final String BY_ARGS = "\n  AND args @> CAST(:argsContain AS jsonb)";

	private static final String BY_ERROR = "\n  AND error->>'message' ILIKE :errorPattern ESCAPE '\\'";

	private static final String BY_NAME = "\n  AND name = :name";

	// With status RUNNING, a look-up of the running-task index (V10).
	private static final String BY_NODE = "\n  AND node_id = :node";

	private static final String BY_QUEUE = "\n  AND queue = :queue";

	private static final String BY_STARTED_BY = "\n  AND started_by = :startedBy";

	private static final String BY_STATUS = "\n  AND status = ANY(:statuses)";

	private static final String CREATED_FROM = "\n  AND created_at >= :createdFrom";

	private static final String CREATED_TO = "\n  AND created_at < :createdTo";

	private static final String FINISHED_FROM = "\n  AND finished_at >= :finishedFrom";

	private static final String FINISHED_TO = "\n  AND finished_at < :finishedTo";

	private final JdbcClient jdbc;

	private final String table;

	private final String channel;

	/**
	 * Create the table's SQL for one schema.
	 * @param dataSource the database
	 * @param names the table names
	 */
	public TaskConsoleTable(DataSource dataSource, TableNames names) {
		this.jdbc = JdbcClient.create(dataSource);
		this.table = names.task();
		this.channel = names.channel();
	}

	/**
	 * A page of the owner's tasks that match a query, newest first.
	 * @param query the criteria, cursor and page size
	 * @param owner the owner
	 * @return the tasks
	 */
	public List<TaskRow> find(TaskQuery query, String owner) {
		Filter filter = Filter.of(query, query.statuses(), true);
		return filter.bind(this.jdbc.sql(FIND.formatted(TaskRow.COLUMNS, this.table, filter.sql())), owner)
			.param("limit", query.limit())
			.query(TaskRow.MAPPER)
			.list();
	}

	/**
	 * How many of the owner's tasks match a query's criteria, by status; the query's statuses and
	 * cursor are left out.
	 * @param query the criteria
	 * @param owner the owner
	 * @return the counts, statuses without tasks left out
	 */
	public Map<TaskStatus, Long> count(TaskQuery query, String owner) {
		Filter filter = Filter.of(query, Set.of(), false);
		Map<TaskStatus, Long> counts = new EnumMap<>(TaskStatus.class);
		filter.bind(this.jdbc.sql(COUNT.formatted(this.table, filter.sql())), owner)
			.query((rs) -> {
				counts.put(TaskStatus.valueOf(rs.getString(1)), rs.getLong(2));
			});
		return counts;
	}

	/**
	 * The ids of the owner's tasks that match a query and are in one of some statuses, newest
	 * first: a batch of a bulk action.
	 * @param query the criteria and cursor
	 * @param statuses the statuses the action applies to, within the query's own
	 * @param owner the owner
	 * @param limit the batch's size
	 * @return the ids
	 */
	public List<Long> findIds(TaskQuery query, Set<TaskStatus> statuses, String owner, int limit) {
		Filter filter = Filter.of(query, statuses, true);
		return filter.bind(this.jdbc.sql(FIND_IDS.formatted(this.table, filter.sql())), owner)
			.param("limit", limit)
			.query(Long.class)
			.list();
	}

	/**
	 * A task's status.
	 * @param id the task
	 * @param owner its owner
	 * @return the status, or empty if the owner has no such task
	 */
	public Optional<TaskStatus> findStatus(long id, String owner) {
		return this.jdbc.sql(FIND_STATUS.formatted(this.table))
			.param("id", id)
			.param("owner", owner)
			.query(String.class)
			.optional()
			.map(TaskStatus::valueOf);
	}

	/**
	 * Delete a task that does not run.
	 * @param id the task
	 * @param owner its owner
	 * @return the status it had, or empty if it was not deleted (it runs, or the owner has no
	 * such task)
	 */
	public Optional<TaskStatus> delete(long id, String owner) {
		return this.jdbc.sql(DELETE_ONE.formatted(this.table))
			.param("id", id)
			.param("owner", owner)
			.query(String.class)
			.optional()
			.map(TaskStatus::valueOf);
	}

	/**
	 * Delete some tasks that do not run.
	 * @param ids the tasks
	 * @param owner their owner
	 * @return how many were deleted
	 */
	public int deleteMany(List<Long> ids, String owner) {
		return this.jdbc.sql(DELETE_MANY.formatted(this.table))
			.param("ids", ids.toArray(Long[]::new))
			.param("owner", owner)
			.update();
	}

	/**
	 * Give failed or cancelled tasks one more attempt, now, under the same ids.
	 * @param ids the tasks
	 * @param owner their owner
	 * @return how many are pending again
	 */
	public int retryMany(List<Long> ids, String owner) {
		return changeAndWake(RETRY_MANY, ids, owner);
	}

	/**
	 * Make delayed or backing-off pending tasks due now.
	 * @param ids the tasks
	 * @param owner their owner
	 * @return how many were made due
	 */
	public int runNowMany(List<Long> ids, String owner) {
		return changeAndWake(RUN_NOW_MANY, ids, owner);
	}

	// The statement returns a row, with a notification, for each task it made due.
	private int changeAndWake(String statement, List<Long> ids, String owner) {
		return this.jdbc.sql(statement.formatted(this.table))
			.param("ids", ids.toArray(Long[]::new))
			.param("owner", owner)
			.param("channel", this.channel)
			.query((rs, row) -> rs.getLong(1))
			.list()
			.size();
	}

	/**
	 * The clauses and parameters of a query's criteria.
	 */
	private record Filter(String sql, Map<String, Object> params) {

		static Filter of(TaskQuery query, Set<TaskStatus> statuses, boolean withCursor) {
			StringBuilder sql = new StringBuilder();
			Map<String, Object> params = new LinkedHashMap<>();
			if (!statuses.isEmpty()) {
				sql.append(BY_STATUS);
				params.put("statuses", statuses.stream().map(TaskStatus::name).sorted().toArray(String[]::new));
			}
			add(sql, params, BY_QUEUE, "queue", query.queue());
			add(sql, params, BY_NAME, "name", query.name());
			add(sql, params, CREATED_FROM, "createdFrom", timestamp(query.createdFrom()));
			add(sql, params, CREATED_TO, "createdTo", timestamp(query.createdTo()));
			add(sql, params, FINISHED_FROM, "finishedFrom", timestamp(query.finishedFrom()));
			add(sql, params, FINISHED_TO, "finishedTo", timestamp(query.finishedTo()));
			add(sql, params, BY_STARTED_BY, "startedBy", query.startedBy());
			add(sql, params, BY_NODE, "node", query.node());
			add(sql, params, BY_ARGS, "argsContain", query.argsContain());
			add(sql, params, BY_ERROR, "errorPattern",
					(query.errorContains() != null) ? "%" + escapeLike(query.errorContains()) + "%" : null);
			if (withCursor) {
				add(sql, params, BEFORE, "before", query.before());
			}
			return new Filter(sql.toString(), params);
		}

		JdbcClient.StatementSpec bind(JdbcClient.StatementSpec statement, String owner) {
			statement.param("owner", owner);
			this.params.forEach(statement::param);
			return statement;
		}

		private static void add(StringBuilder sql, Map<String, Object> params, String clause, String name,
				@Nullable Object value) {
			if (value != null) {
				sql.append(clause);
				params.put(name, value);
			}
		}

		// As timestamptz: the session's time zone plays no part.
		private static @Nullable OffsetDateTime timestamp(@Nullable Instant instant) {
			return (instant != null) ? instant.atOffset(ZoneOffset.UTC) : null;
		}

		// The text is matched as it is: LIKE's wildcards in it are escaped.
		private static String escapeLike(String text) {
			StringBuilder escaped = new StringBuilder(text.length() + 8);
			for (char c : text.toCharArray()) {
				if (c == '%' || c == '_' || c == '\\') {
					escaped.append('\\');
				}
				escaped.append(c);
			}
			return escaped.toString();
		}

	}

}
