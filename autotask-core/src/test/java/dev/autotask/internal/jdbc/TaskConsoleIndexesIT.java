package dev.autotask.internal.jdbc;

import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the console's indexes cost a task: every task that ends writes an entry to the index of
 * ended tasks, and every task enqueued one to the index of pending tasks, so their entries are
 * kept to their keys, the queue and, for the ended, the finish time (V28). With the name, the node
 * and who started a task carried besides (V14, V24), they were half of the task table's index
 * space in a steady flow (docs/performance.md).
 */
class TaskConsoleIndexesIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final int TASKS = 20_000;

	// For the tasks below, the index's size over the tasks: 87 bytes an ended task and 68 a
	// pending one with V28; 236 and 142 with the columns of V14 and V24.
	private static final int MOST_BYTES_PER_TASK = 100;

	@Test
	void anEndedTaskWritesANarrowEntryToTheConsoleIndex() {
		insert("SUCCESS");

		assertThat(bytesPerTask("autotask_task_console_idx")).as("bytes per ended task in the console's index")
			.isLessThan(MOST_BYTES_PER_TASK);
	}

	@Test
	void aPendingTaskWritesANarrowEntryToTheConsolesPendingIndex() {
		insert("PENDING");

		assertThat(bytesPerTask("autotask_task_console_pending_idx"))
			.as("bytes per pending task in the console's pending index")
			.isLessThan(MOST_BYTES_PER_TASK);
	}

	// Tasks as an application of a few services writes them: names and queues of a realistic
	// length, a node id as the engine makes it, started by a person.
	private static void insert(String status) {
		postgres.jdbc().sql("TRUNCATE autotask_task").update();
		postgres.jdbc().sql("""
				INSERT INTO autotask_task (name, queue, owner, args, status, max_attempts, ttl, created_at,
					started_at, finished_at, node_id, started_by)
				SELECT 'billing.invoices.rebuild-for-customer', 'billing-reports', 'billing-service', '[]', :status, 1,
					interval '1 day', now() - (:tasks - i) * interval '1 ms',
					CASE WHEN :status = 'SUCCESS' THEN now() END, CASE WHEN :status = 'SUCCESS' THEN now() END,
					CASE WHEN :status = 'SUCCESS' THEN 'billing-7f9c6d5b8-x2kqp-' || md5(i::text) END,
					'operator@example.com'
				FROM generate_series(1, :tasks) AS i""").param("status", status).param("tasks", TASKS).update();
	}

	private static long bytesPerTask(String index) {
		return postgres.jdbc()
			.sql("SELECT pg_relation_size(CAST(:index AS regclass))")
			.param("index", postgres.schema() + "." + index)
			.query(Long.class)
			.single() / TASKS;
	}

}
