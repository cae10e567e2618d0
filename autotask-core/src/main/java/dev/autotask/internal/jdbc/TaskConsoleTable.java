package dev.autotask.internal.jdbc;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import dev.autotask.TaskQuery;
import dev.autotask.TaskStatus;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The SQL of {@code autotask_task} (V1) that an operator's searches run: find tasks across all
 * names by status, queue, node, group, time and text, count them, and list the keys a bulk action acts
 * on ({@link TaskActionTable} acts). Always scoped to one owner.
 *
 * <p>
 * The filter is assembled from the constant clauses below, one per criterion given, so that the
 * planner sees only the criteria that apply and can use their indexes; every value is a
 * parameter. Pages are keyset-paged on (created_at, id), newest first: a deep page costs what
 * the first does.
 */
public final class TaskConsoleTable {

	// Each status is a branch of its own, its status a constant, so that the planner matches it
	// to the partial index that holds it: the console's indexes for the ended (V14, V28) and the
	// pending (V24, V28), the running index for the running. Statuses are enum names, never
	// input. Besides their keys the console's indexes carry the queue, and the ended tasks' the
	// finish time (V28): a filter by node, or of pending tasks by name, reads the candidates' rows,
	// newest first, until the page is full.
	// The table is named task in each branch: BY_ERROR's look-up of a row refers to it.

	// Per status, newest first, stopping at the cap.
	private static final String COUNT = """
			SELECT '%2$s', (SELECT count(*) FROM (
				SELECT 1 FROM %1$s AS task
				WHERE owner = :owner AND status = '%2$s'%3$s
				ORDER BY created_at DESC, id DESC
				LIMIT :cap) AS matching)""";

	private static final String COUNT_EXACT = """
			SELECT '%2$s', count(*) FROM %1$s AS task
			WHERE owner = :owner AND status = '%2$s'%3$s""";

	// The newest of each status, merged: each status's range of an index is read in order and
	// stops at the page's size, whatever the number of tasks. The rows are read only for the
	// page's ids.
	private static final String FIND = """
			SELECT %1$s
			FROM (%2$s) AS page(id, key_created_at)
			JOIN %3$s USING (id)
			ORDER BY page.key_created_at DESC, page.id DESC""";

	private static final String FIND_IDS = """
			SELECT id, created_at FROM (%s) AS newest
			ORDER BY created_at DESC, id DESC
			LIMIT :limit""";

	private static final String NEWEST = """
			(SELECT id, created_at FROM %1$s AS task
			WHERE owner = :owner AND status = '%2$s'%3$s
			ORDER BY created_at DESC, id DESC
			LIMIT :limit)""";

	// Pages are keyset-paged on (created_at, id), newest first; the cursor is an id. A cursor
	// deleted meanwhile stands for the task created just before it.
	private static final String BEFORE = """

			  AND (created_at, id) < (
				SELECT cursor.created_at, :before FROM %s AS cursor
				WHERE cursor.id <= :before ORDER BY cursor.id DESC LIMIT 1)""";

	// Between batches of a bulk action the cursor is the last task's own key.
	private static final String AFTER_KEY = "\n  AND (created_at, id) < (:keyCreatedAt, :keyId)";

	// The console's GIN indexes hold the ended (V23) and the pending (V25) tasks that have
	// arguments: the tasks without any contain no value searched for.
	private static final String BY_ARGS = "\n  AND args <> '[]'::jsonb AND args @> CAST(:argsContain AS jsonb)";

	// Only tasks with an error message, read from the console's error index alone (V22), which
	// carries error_search: the message's first 500 characters, lower-cased. LIKE with the pattern
	// lower-cased is what ILIKE does. A message that fills error_search may go on beyond it: when
	// its start does not match, the whole message in error is matched, a look-up of that row
	// alone, so that no other row's error is read.
	private static final String BY_ERROR = """

			  AND error_search IS NOT NULL
			  AND (error_search LIKE lower(:errorPattern) ESCAPE '\\'
				OR char_length(error_search) = 500 AND EXISTS (
					SELECT 1 FROM %s AS long_message
					WHERE long_message.id = task.id
					  AND long_message.error->>'message' ILIKE :errorPattern ESCAPE '\\'))""";

	// A look-up of V21's index of the groups' members.
	private static final String BY_GROUP = "\n  AND group_id = :group";

	private static final String BY_NAME = "\n  AND name = :name";

	// With status RUNNING, a look-up of the running-task index (V10).
	private static final String BY_NODE = "\n  AND node_id = :node";

	private static final String BY_QUEUE = "\n  AND queue = :queue";

	private static final String BY_STARTED_BY = "\n  AND started_by = :startedBy";

	private static final String CREATED_FROM = "\n  AND created_at >= :createdFrom";

	private static final String CREATED_TO = "\n  AND created_at < :createdTo";

	private static final String FINISHED_FROM = "\n  AND finished_at >= :finishedFrom";

	private static final String FINISHED_TO = "\n  AND finished_at < :finishedTo";

	private static final String CREATED_BEFORE_FINISHED_TO = "\n  AND created_at < :finishedTo";

	private final JdbcClient jdbc;

	private final String table;

	/**
	 * Create the table's SQL for one schema.
	 * @param dataSource the database
	 * @param names the table names
	 */
	public TaskConsoleTable(DataSource dataSource, TableNames names) {
		this.jdbc = JdbcClient.create(dataSource);
		this.table = names.task();
	}

	/**
	 * A page of the owner's tasks that match a query, newest first.
	 * @param query the criteria, cursor and page size
	 * @param owner the owner
	 * @return the tasks
	 */
	public List<TaskRow> find(TaskQuery query, String owner) {
		Filter filter = Filter.of(query, query.statuses(), this.table).withCursor(query.before(), this.table);
		if (filter.statuses().isEmpty()) {
			return List.of();
		}
		String newest = FIND_IDS.formatted(filter.perStatus(NEWEST, this.table));
		return filter.bind(this.jdbc.sql(FIND.formatted(TaskRow.COLUMNS, newest, this.table)), owner)
			.param("limit", query.limit())
			.query(TaskRow.MAPPER)
			.list();
	}

	/**
	 * How many of the owner's tasks match a query's criteria, by status, counted up to a cap;
	 * the query's statuses and cursor are left out.
	 * @param query the criteria
	 * @param owner the owner
	 * @param cap the most to count in each status
	 * @return the counts, statuses without tasks left out
	 */
	public Map<TaskStatus, Long> count(TaskQuery query, String owner, int cap) {
		Filter filter = Filter.of(query, Set.of(), this.table);
		if (filter.statuses().isEmpty()) {
			return Map.of();
		}
		return counts(filter.bind(this.jdbc.sql(filter.perStatus(COUNT, this.table)), owner).param("cap", cap));
	}

	/**
	 * How many of the owner's tasks match a query's criteria, by status, however many there
	 * are: a count that reads each match, for the confirmation of a bulk action; the query's
	 * statuses and cursor are left out.
	 * @param query the criteria
	 * @param owner the owner
	 * @return the counts, statuses without tasks left out
	 */
	public Map<TaskStatus, Long> countExact(TaskQuery query, String owner) {
		Filter filter = Filter.of(query, Set.of(), this.table);
		if (filter.statuses().isEmpty()) {
			return Map.of();
		}
		return counts(filter.bind(this.jdbc.sql(filter.perStatus(COUNT_EXACT, this.table)), owner));
	}

	private static Map<TaskStatus, Long> counts(JdbcClient.StatementSpec statement) {
		Map<TaskStatus, Long> counts = new EnumMap<>(TaskStatus.class);
		statement.query((rs) -> {
			if (rs.getLong(2) > 0) {
				counts.put(TaskStatus.valueOf(rs.getString(1)), rs.getLong(2));
			}
		});
		return counts;
	}

	/**
	 * A batch of a bulk action: the keys of the owner's tasks that match a query and are in one
	 * of some statuses, newest first.
	 * @param query the criteria (its cursor left out)
	 * @param statuses the statuses the action applies to, within the query's own
	 * @param owner the owner
	 * @param after the last key of the batch before, or {@code null} for the first batch
	 * @param limit the batch's size
	 * @return the keys
	 */
	public List<TaskKey> findKeys(TaskQuery query, Set<TaskStatus> statuses, String owner, @Nullable TaskKey after,
			int limit) {
		Filter filter = Filter.of(query, statuses, this.table).withKey(after);
		if (filter.statuses().isEmpty()) {
			return List.of();
		}
		return filter.bind(this.jdbc.sql(FIND_IDS.formatted(filter.perStatus(NEWEST, this.table))), owner)
			.param("limit", limit)
			.query((rs, row) -> new TaskKey(rs.getLong(1), rs.getObject(2, OffsetDateTime.class)))
			.list();
	}

	/**
	 * Where a task stands in the console's order, newest first: a bulk action's cursor.
	 * @param id the task's id
	 * @param createdAt when it was created
	 */
	public record TaskKey(long id, OffsetDateTime createdAt) {
	}

	/**
	 * The clauses and parameters of a query's criteria, and the statuses to read.
	 */
	private record Filter(Set<TaskStatus> statuses, String sql, Map<String, Object> params) {

		// A task has a finished_at only once it has ended.
		private static final Set<TaskStatus> ENDED = EnumSet.of(TaskStatus.SUCCESS, TaskStatus.FAILURE,
				TaskStatus.CANCELLED);

		static Filter of(TaskQuery query, Set<TaskStatus> statuses, String table) {
			StringBuilder sql = new StringBuilder();
			Map<String, Object> params = new LinkedHashMap<>();
			Set<TaskStatus> read = statuses.isEmpty() ? EnumSet.allOf(TaskStatus.class) : EnumSet.copyOf(statuses);
			if (query.finishedFrom() != null || query.finishedTo() != null) {
				read.retainAll(ENDED);
			}
			add(sql, params, BY_QUEUE, "queue", query.queue());
			add(sql, params, BY_NAME, "name", query.name());
			add(sql, params, BY_GROUP, "group", query.group());
			add(sql, params, CREATED_FROM, "createdFrom", timestamp(query.createdFrom()));
			add(sql, params, CREATED_TO, "createdTo", timestamp(query.createdTo()));
			add(sql, params, FINISHED_FROM, "finishedFrom", timestamp(query.finishedFrom()));
			add(sql, params, FINISHED_TO, "finishedTo", timestamp(query.finishedTo()));
			// A task finishes after it is created: the bound narrows the index range read.
			add(sql, params, CREATED_BEFORE_FINISHED_TO, "finishedTo", timestamp(query.finishedTo()));
			add(sql, params, BY_STARTED_BY, "startedBy", query.startedBy());
			add(sql, params, BY_NODE, "node", query.node());
			add(sql, params, BY_ARGS, "argsContain", query.argsContain());
			add(sql, params, BY_ERROR.formatted(table), "errorPattern",
					(query.errorContains() != null) ? "%" + escapeLike(query.errorContains()) + "%" : null);
			return new Filter(read, sql.toString(), params);
		}

		Filter withCursor(@Nullable Long before, String table) {
			return (before != null) ? with(BEFORE.formatted(table), Map.of("before", before)) : this;
		}

		Filter withKey(@Nullable TaskKey after) {
			return (after != null)
					? with(AFTER_KEY, Map.of("keyCreatedAt", after.createdAt(), "keyId", after.id())) : this;
		}

		private Filter with(String clause, Map<String, Object> more) {
			Map<String, Object> params = new LinkedHashMap<>(this.params);
			params.putAll(more);
			return new Filter(this.statuses, this.sql + clause, params);
		}

		// One branch of a template per status, in the order of TaskStatus.
		String perStatus(String template, String table) {
			return this.statuses.stream()
				.map((status) -> template.formatted(table, status.name(), this.sql))
				.collect(Collectors.joining("\nUNION ALL\n"));
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
