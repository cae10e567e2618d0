package dev.autotask.testsupport;

import java.time.Duration;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Inserts task rows in any state straight into the table, bypassing the engine: a row whose
 * arguments no longer fit, an ended task past its TTL.
 */
public final class TaskRows {

	private final JdbcClient jdbc;

	private final String table;

	/**
	 * Create a row factory.
	 * @param postgres the test's database
	 */
	public TaskRows(PostgresExtension postgres) {
		this.jdbc = postgres.jdbc();
		this.table = postgres.schema() + ".autotask_task";
	}

	/**
	 * A due pending task.
	 * @param name its name
	 * @param owner its owner
	 * @param args its arguments, a JSON array
	 * @return its id
	 */
	public long aPendingTask(String name, String owner, String args) {
		return this.jdbc.sql("INSERT INTO " + this.table + " (name, owner, args, max_attempts, ttl)"
				+ " VALUES (?, ?, ?::jsonb, 1, interval '1 day') RETURNING id")
			.params(name, owner, args)
			.query(Long.class)
			.single();
	}

	/**
	 * A task that succeeded {@code ago} and whose outcome was kept for {@code ttl}.
	 * @param name its name
	 * @param ago how long ago it ended
	 * @param ttl how long its outcome is kept
	 * @return its id
	 */
	public long aSucceededTask(String name, Duration ago, Duration ttl) {
		return this.jdbc.sql("INSERT INTO " + this.table
				+ " (name, owner, status, max_attempts, ttl, attempt, started_at, finished_at, expires_at, result)"
				+ " VALUES (?, 'test', 'SUCCESS', 1, ? * interval '1 ms', 1, now() - ? * interval '1 ms',"
				+ " now() - ? * interval '1 ms', now() - ? * interval '1 ms' + ? * interval '1 ms', '\"done\"')"
				+ " RETURNING id")
			.params(name, ttl.toMillis(), ago.toMillis(), ago.toMillis(), ago.toMillis(), ttl.toMillis())
			.query(Long.class)
			.single();
	}

	/**
	 * How many tasks the table holds.
	 * @return the count
	 */
	public long count() {
		return this.jdbc.sql("SELECT count(*) FROM " + this.table).query(Long.class).single();
	}

	/**
	 * Whether a task row exists.
	 * @param id the task
	 * @return whether it exists
	 */
	public boolean exists(long id) {
		return this.jdbc.sql("SELECT count(*) FROM " + this.table + " WHERE id = ?")
			.param(id)
			.query(Long.class)
			.single() == 1;
	}

	/**
	 * A task RUNNING its first attempt on a node.
	 * @param name its name
	 * @param node the node running it
	 * @return its id
	 */
	public long aRunningTask(String name, String node) {
		return this.jdbc.sql("INSERT INTO " + this.table + " (name, owner, status, attempt, max_attempts, ttl, started_at,"
				+ " node_id) VALUES (?, 'test', 'RUNNING', 1, 2, interval '1 day', now(), ?) RETURNING id")
			.params(name, node)
			.query(Long.class)
			.single();
	}

	/**
	 * A node whose last heartbeat is still valid for {@code ttl}, or expired {@code -ttl} ago,
	 * alive without a break for an hour before that.
	 * @param node the node's id
	 * @param ttl how long it is still alive; negative for a dead node
	 */
	public void aNode(String node, Duration ttl) {
		this.jdbc.sql("INSERT INTO " + this.table.replace("autotask_task", "autotask_node")
				+ " (id, expires_at, workers, alive_since) VALUES (?, now() + ? * interval '1 ms', 1, now() - interval '1 hour')")
			.params(node, ttl.toMillis())
			.update();
	}

	/**
	 * An event waiting in the outbox, as a row of its own, as the end of a task wrote it before V27
	 * (and a node of an older version still does).
	 * @param taskId the task's id
	 * @param name the task's name
	 * @param outcome {@code SUCCESS} or {@code FAILURE}
	 * @return the event's id
	 */
	public long anEvent(long taskId, String name, String outcome) {
		return this.jdbc.sql("INSERT INTO " + this.table.replace("autotask_task", "autotask_outbox")
				+ " (task_id, name, owner, outcome, result) VALUES (?, ?, 'test', ?, '\"done\"') RETURNING id")
			.params(taskId, name, outcome)
			.query(Long.class)
			.single();
	}

	/**
	 * The events of tasks that one statement ended, waiting in the outbox as one row, as ends write
	 * them since V27.
	 * @param count how many events, of tasks 1 to {@code count}, each {@code SUCCESS}
	 * @return the events' ids, in order
	 */
	public List<Long> eventsOfOneStatement(int count) {
		String outbox = this.table.replace("autotask_task", "autotask_outbox");
		return this.jdbc.sql("INSERT INTO " + outbox + " (event_ids, task_ids, names, owners, outcomes, results, errors)"
				+ " SELECT array_agg(nextval('" + outbox + "_id_seq') ORDER BY n), array_agg(n ORDER BY n),"
				+ " array_agg('report'::text), array_agg('test'::text), array_agg('SUCCESS'::text), array_agg('\"done\"'::jsonb),"
				+ " array_agg(NULL::jsonb) FROM generate_series(1, ?) AS n RETURNING event_ids")
			.param(count)
			.query((rs, row) -> List.of((Long[]) rs.getArray(1).getArray()))
			.single();
	}

	/**
	 * The events in the outbox, oldest first.
	 * @return each as its task's id and outcome, {@code "42 SUCCESS"}
	 */
	public List<String> events() {
		return this.jdbc
			.sql("SELECT task_id || ' ' || outcome FROM "
					+ this.table.replace("autotask_task", "autotask_outbox_event") + " ORDER BY id")
			.query(String.class)
			.list();
	}

	/**
	 * A column of one task, as text.
	 * @param id the task
	 * @param column the column
	 * @return its value, or {@code null}
	 */
	public String column(long id, String column) {
		return this.jdbc.sql("SELECT " + column + "::text FROM " + this.table + " WHERE id = ?")
			.param(id)
			.query((rs, row) -> rs.getString(1))
			.list()
			.get(0);
	}

}
