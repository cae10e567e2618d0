package dev.autotask.internal.jdbc;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import dev.autotask.internal.jdbc.OutboxTable.OutboxRow;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static dev.autotask.testsupport.SessionStatistics.sequentialScans;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How outcomes are written in a batch, and their events.
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

	/**
	 * Each event was a row of its own, written, locked and deleted again: a fifth of the drain's
	 * rate. A batch's events are now one row, each still with an id of its own.
	 */
	@Test
	void theEventsOfABatchAreOneOutboxRowEachWithAnIdOfItsOwn() throws Exception {
		TableNames names = new TableNames(postgres.schema());
		TaskRows rows = new TaskRows(postgres);
		long done = rows.aRunningTask("done", "node-a");
		long broken = rows.aRunningTask("broken", "node-a");
		long flaky = rows.aRunningTask("flaky", "node-a");
		TaskOutcomeTable table = new TaskOutcomeTable(postgres.dataSource(), names, true);

		assertThat(table.endMany("node-a",
				List.of(new TaskOutcomeTable.Outcome(done, 1, "SUCCESS", "\"ok\"", null, Duration.ZERO),
						new TaskOutcomeTable.Outcome(broken, 1, "FAILURE", null, "{\"type\": \"X\"}", Duration.ZERO),
						new TaskOutcomeTable.Outcome(flaky, 1, "PENDING", null, "{\"type\": \"Y\"}",
								Duration.ofHours(1)))))
			.hasSize(3);

		assertThat(postgres.jdbc().sql("SELECT count(*) FROM autotask_outbox").query(Long.class).single()).isOne();
		// A retry is no end: two events, in the order they were written, their ids distinct.
		List<OutboxRow> events;
		try (Connection connection = postgres.dataSource().getConnection()) {
			events = new OutboxTable(postgres.dataSource(), names).claim(connection, 500);
		}
		assertThat(events).extracting((event) -> event.taskId() + " " + event.name() + " " + event.outcome() + " "
				+ event.result() + " " + event.error())
			.containsExactlyInAnyOrder(done + " done SUCCESS \"ok\" null", broken + " broken FAILURE null {\"type\": \"X\"}");
		assertThat(events).extracting(OutboxRow::outboxId).containsOnly(events.get(0).outboxId());
		assertThat(events.get(1).id()).isGreaterThan(events.get(0).id());
		assertThat(events.get(0).id()).isNotEqualTo(events.get(0).outboxId());
	}

}
