package dev.autotask.jdbc;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static dev.autotask.testsupport.SessionStatistics.sequentialScans;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two ways a node gives a running task back (undoing a claim that never started, and
 * handing back one that may have run), and how outcomes are written in a batch.
 */
class TaskTableIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private TaskRows rows;

	private TaskTable table;

	@BeforeEach
	void setUp() {
		this.rows = new TaskRows(postgres);
		this.table = new TaskTable(postgres.dataSource(), new TableNames(postgres.schema()));
	}

	@Test
	void releaseUndoesTheClaimOfATaskThatNeverStarted() {
		long claimed = this.rows.aRunningTask("report", "node-a");

		assertThat(this.table.releaseMany("node-a", List.of(claimed))).isOne();

		assertThat(this.rows.column(claimed, "status")).isEqualTo("PENDING");
		assertThat(this.rows.column(claimed, "attempt")).isEqualTo("0");
		assertThat(this.rows.column(claimed, "rescues")).isEqualTo("0");
	}

	@Test
	void handBackKeepsTheAttemptOfATaskThatMayHaveRunAndGrantsOneMore() {
		long started = this.rows.aRunningTask("report", "node-a");
		long other = this.rows.aRunningTask("report", "node-a");
		long elsewhere = this.rows.aRunningTask("report", "node-b");

		assertThat(this.table.handBackMany("node-a", List.of(started, elsewhere))).isOne();

		assertThat(this.rows.column(started, "status")).isEqualTo("PENDING");
		assertThat(this.rows.column(started, "node_id")).isNull();
		assertThat(this.rows.column(started, "attempt")).isEqualTo("1");
		assertThat(this.rows.column(started, "max_attempts")).isEqualTo("3");
		assertThat(this.rows.column(started, "rescues")).isEqualTo("1");
		// Only the tasks named, and only the node's own.
		assertThat(this.rows.column(other, "status")).isEqualTo("RUNNING");
		assertThat(this.rows.column(elsewhere, "status")).isEqualTo("RUNNING");
	}

	/**
	 * Statistics gathered while every task was pending say that no row is running: planned from
	 * them, the batch of outcomes once read the whole table and joined each running row against
	 * every outcome, a stall of half a second per batch at 20,000 rows.
	 */
	@Test
	void outcomesAreLookedUpByIdEvenWhenTheStatisticsSawNoTaskRunning() throws Exception {
		JdbcClient jdbc = postgres.jdbc();
		jdbc.sql("""
				INSERT INTO autotask_task (name, owner, args, max_attempts, ttl)
				SELECT 'report', 'app', '[]', 1, interval '1 day' FROM generate_series(1, 20000)""").update();
		jdbc.sql("ANALYZE autotask_task").update();
		List<Long> claimed = this.table.claim("node-a", Set.of("report"), 250).stream().map(TaskRow::id).toList();
		List<TaskTable.Outcome> outcomes = claimed.stream()
			.map((id) -> new TaskTable.Outcome(id, 1, "SUCCESS", null, null, Duration.ZERO))
			.toList();

		try (Connection connection = postgres.dataSource().getConnection()) {
			connection.setAutoCommit(false);
			SingleConnectionDataSource one = new SingleConnectionDataSource(connection, true);
			TaskTable table = new TaskTable(one, new TableNames(postgres.schema()), true);
			long scansBefore = sequentialScans(one, "autotask_task");

			assertThat(table.endMany("node-a", outcomes)).containsExactlyInAnyOrderElementsOf(claimed);
			assertThat(sequentialScans(one, "autotask_task")).isEqualTo(scansBefore);
			connection.commit();
		}
		assertThat(this.rows.column(claimed.get(0), "status")).isEqualTo("SUCCESS");
	}

}
