package dev.autotask.internal.jdbc;

import java.sql.Connection;
import java.util.List;

import dev.autotask.internal.jdbc.OutboxTable.OutboxRow;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static dev.autotask.testsupport.SessionStatistics.sequentialScans;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a relay's batch leaves the outbox.
 */
class OutboxTableIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	/**
	 * An outbox is a queue: until a vacuum it holds far more dead rows than live ones. A published
	 * batch was found by reading the whole table whenever the planner thought it small: 300 ms a
	 * batch in a drain with autovacuum off. Neither the claim nor the deletion reads them.
	 */
	@Test
	void publishedBatchIsDeletedWithoutReadingTheDeadRowsBeforeIt() throws Exception {
		JdbcClient jdbc = postgres.jdbc();
		jdbc.sql("""
				INSERT INTO autotask_outbox (task_id, name, owner, outcome)
				SELECT n, 'report', 'app', 'SUCCESS' FROM generate_series(1, 20000) AS n""").update();
		jdbc.sql("DELETE FROM autotask_outbox WHERE task_id <= 19500").update();

		try (Connection connection = postgres.dataSource().getConnection()) {
			connection.setAutoCommit(false);
			SingleConnectionDataSource one = new SingleConnectionDataSource(connection, true);
			OutboxTable outbox = new OutboxTable(one, new TableNames(postgres.schema()));
			long scansBefore = sequentialScans(one, "autotask_outbox");
			List<OutboxRow> batch = outbox.claim(connection, 500);

			assertThat(outbox.deleteMany(connection, batch.stream().map(OutboxRow::outboxId).toList())).isEqualTo(500);
			assertThat(sequentialScans(one, "autotask_outbox")).isEqualTo(scansBefore);
			connection.commit();
		}
		assertThat(new OutboxTable(postgres.dataSource(), new TableNames(postgres.schema())).count()).isZero();
	}

}
