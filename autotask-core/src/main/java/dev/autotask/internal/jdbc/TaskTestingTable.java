package dev.autotask.internal.jdbc;

import java.util.List;

import javax.sql.DataSource;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The SQL of {@code autotask_task} (V1) that only {@code dev.autotask.test.TaskTesting} runs:
 * it drains a test's tasks on the calling thread and clears the table between tests.
 */
public final class TaskTestingTable {

	private static final String DELETE_ALL = "DELETE FROM %s";

	private static final String FIND_PENDING = """
			SELECT id, owner
			FROM %s
			WHERE name = :name
			  AND status = 'PENDING'
			ORDER BY id""";

	private static final String FIND_STATUS = "SELECT status FROM %s WHERE id = :id";

	private static final String MAKE_ALL_DUE = """
			UPDATE %s
			SET run_at = now()
			WHERE status = 'PENDING'
			  AND run_at > now()""";

	private final JdbcClient jdbc;

	private final String deleteAll;

	private final String findPending;

	private final String findStatus;

	private final String makeAllDue;

	/**
	 * Create the statements for one schema.
	 * @param dataSource the database
	 * @param names the table names
	 */
	public TaskTestingTable(DataSource dataSource, TableNames names) {
		this.jdbc = JdbcClient.create(dataSource);
		this.deleteAll = DELETE_ALL.formatted(names.task());
		this.findPending = FIND_PENDING.formatted(names.task());
		this.findStatus = FIND_STATUS.formatted(names.task());
		this.makeAllDue = MAKE_ALL_DUE.formatted(names.task());
	}

	/**
	 * Delete every task.
	 */
	public void deleteAll() {
		this.jdbc.sql(this.deleteAll).update();
	}

	/**
	 * The pending tasks of one name, oldest first.
	 * @param name the task's name
	 * @return each task's id and owner
	 */
	public List<Pending> findPending(String name) {
		return this.jdbc.sql(this.findPending)
			.param("name", name)
			.query((rs, row) -> new Pending(rs.getLong("id"), rs.getString("owner")))
			.list();
	}

	/**
	 * A task's status, whoever owns it.
	 * @param id the task
	 * @return its status
	 */
	public String findStatus(long id) {
		return this.jdbc.sql(this.findStatus).param("id", id).query(String.class).single();
	}

	/**
	 * Make every delayed or backing-off task due now.
	 */
	public void makeAllDue() {
		this.jdbc.sql(this.makeAllDue).update();
	}

	/**
	 * A pending task.
	 *
	 * @param id its id
	 * @param owner its owner
	 */
	public record Pending(long id, String owner) {

	}

}
