package dev.autotask.internal.jdbc;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static dev.autotask.testsupport.SessionStatistics.sequentialScans;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How outcomes are written in a batch.
 */
class TaskOutcomeTableIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	/**
	 * Statistics gathered while every task was pending say that no row is running: planned from
	 * them, the batch of outcomes once read the whole table and joined each running row against
	 * every outcome, a stall of half a second per batch at 20,000 rows.
	 */
	@Test
	void outcomesAreLookedUpByIdEvenWhenTheStatisticsSawNoTaskRunning() throws Exception {
		TableNames names = new TableNames(postgres.schema());
		JdbcClient jdbc = postgres.jdbc();
		jdbc.sql("""
				INSERT INTO autotask_task (name, owner, args, max_attempts, ttl)
				SELECT 'report', 'app', '[]', 1, interval '1 day' FROM generate_series(1, 20000)""").update();
		jdbc.sql("ANALYZE autotask_task").update();
		List<Long> claimed = new TaskClaimTable(postgres.dataSource(), names, false)
			.claim("node-a", Set.of("report"), 250)
			.stream()
			.map(TaskRow::id)
			.toList();
		List<TaskOutcomeTable.Outcome> outcomes = claimed.stream()
			.map((id) -> new TaskOutcomeTable.Outcome(id, 1, "SUCCESS", null, null, Duration.ZERO))
			.toList();

		try (Connection connection = postgres.dataSource().getConnection()) {
			connection.setAutoCommit(false);
			SingleConnectionDataSource one = new SingleConnectionDataSource(connection, true);
			TaskOutcomeTable table = new TaskOutcomeTable(one, names, true);
			long scansBefore = sequentialScans(one, "autotask_task");

			assertThat(table.endMany("node-a", outcomes).keySet()).containsExactlyInAnyOrderElementsOf(claimed);
			assertThat(sequentialScans(one, "autotask_task")).isEqualTo(scansBefore);
			connection.commit();
		}
		assertThat(new TaskRows(postgres).column(claimed.get(0), "status")).isEqualTo("SUCCESS");
	}

}
