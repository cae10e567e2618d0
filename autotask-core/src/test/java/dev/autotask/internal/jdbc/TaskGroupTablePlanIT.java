package dev.autotask.internal.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import dev.autotask.GroupInfo;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.SessionStatistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An owner's page of groups reads a range of V21's (owner, id) index that stops at the page's
 * size, however many groups other owners have sent since: counted by the rows the server read,
 * which a backward scan of the primary key filtered by owner would push to the size of the table.
 */
class TaskGroupTablePlanIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final int GROUPS = 20_000;

	@Test
	void aPageOfAQuietOwnersGroupsReadsThePageNotTheTable() throws SQLException {
		// The quiet owner sent its groups first; a busy one sent 20,000 after them.
		postgres.jdbc().sql("""
				INSERT INTO autotask_group (owner, total, callback_name, callback_queue, callback_max_attempts,
					callback_ttl, channel)
				SELECT CASE WHEN i <= 30 THEN 'quiet' ELSE 'busy' END, 1, 'done', 'default', 1, interval '1 day', 'c'
				FROM generate_series(1, :groups) AS i""").param("groups", GROUPS).update();
		postgres.jdbc().sql("VACUUM ANALYZE autotask_group").update();

		try (Connection connection = postgres.dataSource().getConnection()) {
			SingleConnectionDataSource session = new SingleConnectionDataSource(connection, true);
			TaskGroupTable table = new TaskGroupTable(session, new TableNames(postgres.schema()));
			long before = rowsRead(session);
			List<GroupInfo> newest = table.findNewest("quiet", Long.MAX_VALUE, 20);
			List<GroupInfo> older = table.findNewest("quiet", newest.get(newest.size() - 1).group().id(), 20);
			long read = rowsRead(session) - before;

			assertThat(newest).hasSize(20);
			assertThat(older).hasSize(10);
			assertThat(read).as("rows read by two pages of 30 groups among %d", GROUPS).isLessThan(100);
		}
	}

	private static long rowsRead(SingleConnectionDataSource session) {
		return SessionStatistics.rowsRead(session, postgres.schema() + ".autotask_group");
	}

}
