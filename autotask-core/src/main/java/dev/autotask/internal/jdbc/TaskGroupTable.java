package dev.autotask.internal.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import dev.autotask.GroupInfo;
import dev.autotask.TaskGroup;
import dev.autotask.TaskStatus;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The SQL of {@code autotask_group} (V19): a group of tasks and its callback. The members'
 * ends are counted, and the callback enqueued, by V19's trigger on {@code autotask_task}; an
 * owner's groups are listed through V21's index.
 */
public final class TaskGroupTable {

	private static final String FIND = """
			SELECT id, total, succeeded, failed, cancelled, callback_task_id FROM %s
			WHERE id = :id AND owner = :owner""";

	// An owner's groups, newest first, from a range of V21's (owner, id) index; the callback's
	// status read by its primary key.
	private static final String FIND_NEWEST = """
			SELECT g.id, g.total, g.succeeded, g.failed, g.cancelled, g.callback_task_id, g.created_at,
				callback.status AS callback_status
			FROM %1$s AS g
			LEFT JOIN %2$s AS callback ON callback.id = g.callback_task_id
			WHERE g.owner = :owner AND g.id < :before
			ORDER BY g.id DESC
			LIMIT :limit""";

	private static final String INSERT = """
			INSERT INTO %s (owner, total, callback_name, callback_queue, callback_max_attempts, callback_ttl, channel)
			VALUES (:owner, :total, :callbackName, :callbackQueue, :callbackMaxAttempts,
				:callbackTtlMillis * interval '1 millisecond', :channel)
			RETURNING id""";

	private final JdbcClient jdbc;

	private final String channel;

	private final String find;

	private final String findNewest;

	private final String insert;

	/**
	 * Create the statements for one schema.
	 * @param dataSource the database
	 * @param names the table names
	 */
	public TaskGroupTable(DataSource dataSource, TableNames names) {
		this.jdbc = JdbcClient.create(dataSource);
		this.channel = names.channel();
		this.find = FIND.formatted(names.group());
		this.findNewest = FIND_NEWEST.formatted(names.group(), names.task());
		this.insert = INSERT.formatted(names.group());
	}

	/**
	 * Insert a group, before its members.
	 * @param owner the owner of the group and its callback
	 * @param total how many members it will have
	 * @param callback the callback task's name, queue, attempts and time to live
	 * @return the group's id
	 */
	public long insert(String owner, int total, Callback callback) {
		return this.jdbc.sql(this.insert)
			.param("owner", owner)
			.param("total", total)
			.param("callbackName", callback.name())
			.param("callbackQueue", callback.queue())
			.param("callbackMaxAttempts", callback.maxAttempts())
			.param("callbackTtlMillis", callback.ttl().toMillis())
			.param("channel", this.channel)
			.query(Long.class)
			.single();
	}

	/**
	 * A group as it stands.
	 * @param id the group
	 * @param owner its owner
	 * @return the group, or empty if the owner has none of that id
	 */
	public Optional<TaskGroup> find(long id, String owner) {
		return this.jdbc.sql(this.find)
			.param("id", id)
			.param("owner", owner)
			.query((rs, row) -> group(rs))
			.optional();
	}

	/**
	 * An owner's groups, newest first, with when each was sent and its callback's status.
	 * @param owner the owner
	 * @param before only groups with a smaller id
	 * @param limit the most groups
	 * @return the groups
	 */
	public List<GroupInfo> findNewest(String owner, long before, int limit) {
		return this.jdbc.sql(this.findNewest)
			.param("owner", owner)
			.param("before", before)
			.param("limit", limit)
			.query((rs, row) -> {
				String callback = rs.getString("callback_status");
				return new GroupInfo(group(rs), rs.getObject("created_at", OffsetDateTime.class).toInstant(),
						(callback != null) ? TaskStatus.valueOf(callback) : null);
			})
			.list();
	}

	private static TaskGroup group(ResultSet rs) throws SQLException {
		return new TaskGroup(rs.getLong("id"), rs.getInt("total"), rs.getInt("succeeded"), rs.getInt("failed"),
				rs.getInt("cancelled"), rs.getObject("callback_task_id", Long.class));
	}

	/**
	 * What a group's callback is.
	 * @param name the task's name
	 * @param queue its queue
	 * @param maxAttempts its attempts
	 * @param ttl how long its outcome is kept
	 */
	public record Callback(String name, String queue, int maxAttempts, Duration ttl) {
	}

}
