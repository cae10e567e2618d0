package dev.autotask.internal.jdbc;

import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import dev.autotask.TaskStatus;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The SQL of {@code autotask_task} (V1) that an operator's actions run on tasks found by
 * {@link TaskConsoleTable}: retry in place, run now and delete, one or many. Always scoped to one
 * owner; a task in a status the action does not apply to is left as it is.
 */
public final class TaskActionTable {

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

	private final JdbcClient jdbc;

	private final String table;

	private final String channel;

	/**
	 * Create the table's SQL for one schema.
	 * @param dataSource the database
	 * @param names the table names
	 */
	public TaskActionTable(DataSource dataSource, TableNames names) {
		this.jdbc = JdbcClient.create(dataSource);
		this.table = names.task();
		this.channel = names.channel();
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

}
