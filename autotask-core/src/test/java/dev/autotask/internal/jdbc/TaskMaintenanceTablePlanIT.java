package dev.autotask.internal.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.SessionStatistics;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rescues run on every heartbeat of every node, under a backlog of any size: they must look
 * up the running tasks (V10's partial index), never read the whole task table. Counted by the
 * rows the server read for them, which a sequential scan, or a scan of an index over every
 * pending task, would push to the size of the backlog. The pruner, which must keep up with the
 * engine's ends, looks up each task's last runs once per statement, not once per expired row.
 */
class TaskMaintenanceTablePlanIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final int BACKLOG = 20_000;

	private static final int EXPIRED = 3_000;

	private static final int PRUNE_LIMIT = 1_000;

	private static final int KEEP = 10;

	@Test
	void rescuesReadTheRunningTasksOnlyHoweverLargeTheBacklog() throws SQLException {
		TaskRows rows = new TaskRows(postgres);
		postgres.jdbc()
			.sql("INSERT INTO autotask_task (name, owner, max_attempts, ttl) "
					+ "SELECT 'backlog', 'test', 1, interval '1 day' FROM generate_series(1, ?)")
			.param(BACKLOG)
			.update();
		rows.aNode("live", Duration.ofMinutes(1));
		rows.aNode("dead", Duration.ofMinutes(-1));
		for (int i = 0; i < 3; i++) {
			rows.aRunningTask("orphan", "dead");
			rows.aRunningTask("mine", "live");
		}
		postgres.jdbc().sql("ANALYZE autotask_task").update();

		try (Connection connection = postgres.dataSource().getConnection()) {
			// One session, so that the counts read are those of the statements it ran.
			SingleConnectionDataSource session = new SingleConnectionDataSource(connection, true);
			TaskMaintenanceTable table = new TaskMaintenanceTable(session, new TableNames(postgres.schema()), false);
			long before = rowsRead(session);

			List<Long> orphans = table.rescue("live", Duration.ofMinutes(1), Duration.ofSeconds(10), List.of());
			List<Long> strays = table.rescueStrays("live", Duration.ofMinutes(1), List.of(), Duration.ZERO, List.of());
			List<Long> earlier = table.rescueEarlierLife("live", Duration.ofMinutes(1), List.of());

			long read = rowsRead(session) - before;
			assertThat(orphans).hasSize(3);
			assertThat(strays).as("the live node's tasks it does not hold").hasSize(3);
			assertThat(earlier).isEmpty();
			assertThat(read).as("rows of autotask_task read by three rescues over a backlog of %d", BACKLOG)
				.isLessThan(100);
		}
	}

	@Test
	void pruneLooksUpTheLastRunsOfEachTaskOncePerStatement() throws SQLException {
		postgres.jdbc()
			.sql("""
					INSERT INTO autotask_task (name, owner, status, max_attempts, ttl, started_at, finished_at, expires_at)
					SELECT 'task-' || (i % 5), 'test', 'SUCCESS', 1, interval '1 minute', now() - interval '2 hours',
						now() - interval '2 hours' + i * interval '1 millisecond', now() - interval '1 hour'
					FROM generate_series(1, ?) AS i""")
			.param(EXPIRED)
			.update();
		postgres.jdbc().sql("ANALYZE autotask_task").update();

		try (Connection connection = postgres.dataSource().getConnection()) {
			SingleConnectionDataSource session = new SingleConnectionDataSource(connection, true);
			TaskMaintenanceTable table = new TaskMaintenanceTable(session, new TableNames(postgres.schema()), false);
			String history = postgres.schema() + ".autotask_task_history_idx";
			long before = SessionStatistics.indexEntriesRead(session, history);

			int deleted = table.pruneExpired(KEEP, PRUNE_LIMIT, Duration.ZERO);

			long read = SessionStatistics.indexEntriesRead(session, history) - before;
			assertThat(deleted).isEqualTo(PRUNE_LIMIT);
			// A probe for each of the 5 names and its last runs; a look-up of the last runs for each
			// expired row reads more than KEEP entries for every one of them.
			assertThat(read).as("history index entries read to prune %d of %d expired tasks", PRUNE_LIMIT, EXPIRED)
				.isLessThan(PRUNE_LIMIT);
			while (table.pruneExpired(KEEP, PRUNE_LIMIT, Duration.ZERO) == PRUNE_LIMIT) {
				// The rest, down to the last runs of each task.
			}
			assertThat(postgres.jdbc().sql("""
					SELECT count(*) FROM autotask_task AS task WHERE task.finished_at >= (
						SELECT min(last.finished_at) FROM (
							SELECT finished_at FROM autotask_task WHERE name = task.name
							ORDER BY finished_at DESC LIMIT ?) AS last)""")
				.param(KEEP)
				.query(Long.class)
				.single()).as("the last %d runs of each of 5 tasks, all that is left", KEEP).isEqualTo(5L * KEEP);
			assertThat(postgres.jdbc().sql("SELECT count(*) FROM autotask_task").query(Long.class).single())
				.isEqualTo(5L * KEEP);
		}
	}

	private static long rowsRead(SingleConnectionDataSource session) {
		return SessionStatistics.rowsRead(session, postgres.schema() + ".autotask_task");
	}

}
