package dev.autotask.internal.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;

import javax.sql.DataSource;

import dev.autotask.internal.jdbc.TaskClaimTable.Claimed;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.SessionStatistics;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A claim walks the claim index and stops at its limit, whatever the statistics say. The case
 * that matters: the table was analyzed while no task was pending (a quiet queue of ended tasks,
 * or a new one), then a burst arrived. The statistics then say no task is pending, and a planner
 * left to them fetches every pending task by name and sorts them all for each claim: a second a
 * claim at a million. Counted by the rows the server read for a claim.
 */
class TaskClaimTablePlanIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final int BURST = 20_000;

	private static final int LIMIT = 10;

	@BeforeEach
	void aBurstAfterTheStatisticsOfAQuietQueue() {
		postgres.jdbc().sql("""
				INSERT INTO autotask_task (name, owner, status, max_attempts, ttl, finished_at, expires_at)
				SELECT 'burst', 'test', 'SUCCESS', 1, interval '1 day', now(), now() + interval '1 day'
				FROM generate_series(1, 1000)""").update();
		postgres.jdbc().sql("ANALYZE autotask_task").update();
		postgres.jdbc().sql("""
				INSERT INTO autotask_task (name, owner, max_attempts, ttl)
				SELECT 'burst', 'test', 1, interval '1 day' FROM generate_series(1, :burst)""")
			.param("burst", BURST)
			.update();
	}

	@Test
	void aClaimReadsItsLimitNotTheBurst() throws SQLException {
		Read<List<TaskRow>> claim = read((session) -> new TaskClaimTable(session, names(), false).claim("node",
				List.of("burst"), LIMIT));

		assertThat(claim.result()).hasSize(LIMIT);
		assertThat(claim.rows()).as("rows read by a claim of %d among %d pending", LIMIT, BURST).isLessThan(100);
	}

	@Test
	void theLookForDueKeyedTasksReadsNoneOfABurstWithoutKeys() throws SQLException {
		Read<KeyedClaimTable.KeyedClaim> claim = read((session) -> new KeyedClaimTable(session, names()).claim("node",
				List.of("burst"), List.of(), true, LIMIT));

		assertThat(claim.result().due()).isFalse();
		// Every node looks every 100 ms.
		assertThat(claim.rows()).as("rows read to find no keyed task among %d pending", BURST).isLessThan(100);
	}

	@Test
	void aKeyedClaimReadsTheTasksItLooksAtNotTheBurst() throws SQLException {
		postgres.jdbc().sql("UPDATE autotask_task SET concurrency_key = 'k' || (id % 100) WHERE status = 'PENDING'").update();
		Read<KeyedClaimTable.KeyedClaim> claim = read((session) -> new KeyedClaimTable(session, names()).claim("node",
				List.of("burst"), List.of(), true, LIMIT));

		assertThat(claim.result().rows()).hasSize(LIMIT);
		// The earliest thousand due keyed tasks (each twice, its old version being dead), and those
		// claimed.
		assertThat(claim.rows()).as("rows read by a keyed claim of %d among %d pending", LIMIT, BURST).isLessThan(2_500);
	}

	@Test
	void aClaimOfAQueueLimitedAcrossTheClusterReadsItsLimitNotTheBurst() throws SQLException {
		Read<LimitedClaimTable.LimitedClaim> claim = read((session) -> new LimitedClaimTable(session, names())
			.claim("node", List.of("burst"), "default", 100, null, LIMIT));

		assertThat(claim.result().rows()).hasSize(LIMIT);
		assertThat(claim.rows()).as("rows read by a limited claim of %d among %d pending", LIMIT, BURST).isLessThan(100);
	}

	/**
	 * Left to choose, the server planned every claim anew: a quarter of a millisecond of each
	 * claim on an idle node. Once the driver prepares it on the server (its fifth run), the claim
	 * keeps one plan, and that plan still reads only what it claims, with statistics of a large
	 * backlog too: a plan that cannot know the limit once took a tenth of the backlog for it, and
	 * read the whole table to join them.
	 */
	@Test
	void aClaimIsPlannedOncePerConnectionAndItsPlanStillReadsItsLimit() throws SQLException {
		postgres.jdbc().sql("""
				INSERT INTO autotask_task (name, owner, max_attempts, ttl)
				SELECT 'burst', 'test', 1, interval '1 day' FROM generate_series(1, 80000)""").update();
		postgres.jdbc().sql("ANALYZE autotask_task").update();
		try (Connection connection = postgres.dataSource().getConnection()) {
			SingleConnectionDataSource session = new SingleConnectionDataSource(connection, true);
			TaskClaimTable table = new TaskClaimTable(session, names(), false);
			for (int i = 0; i < 10; i++) {
				table.claim("node", List.of("burst"), LIMIT);
			}
			long before = rowsRead(session);

			assertThat(table.claim("node", List.of("burst"), LIMIT)).hasSize(LIMIT);
			assertThat(rowsRead(session) - before).as("rows read by a claim on its cached plan").isLessThan(100);
			List<Long> plans = JdbcClient.create(session).sql("""
					SELECT generic_plans, custom_plans FROM pg_prepared_statements
					WHERE statement LIKE '%FOR UPDATE SKIP LOCKED%'""")
				.query((rs, row) -> List.of(rs.getLong(1), rs.getLong(2)))
				.single();
			// The driver prepares it on the server from its fourth or fifth run, of eleven.
			assertThat(plans.get(0)).as("runs of the claim's one plan").isGreaterThanOrEqualTo(6);
			assertThat(plans.get(1)).as("claims planned anew").isZero();
		}
	}

	/**
	 * Until a vacuum, the claim index keeps the entries of every task claimed, dead. A claim from
	 * the front steps over them all; one that resumes where the last stopped starts after them.
	 */
	@Test
	void aClaimThatResumesStepsOverNoneOfTheTasksClaimedBefore() throws SQLException {
		try (Connection connection = postgres.dataSource().getConnection()) {
			SingleConnectionDataSource session = new SingleConnectionDataSource(connection, true);
			TaskClaimTable table = new TaskClaimTable(session, names(), false);
			Claimed claimed = null;
			for (int i = 0; i < 15; i++) {
				claimed = table.claim("node", List.of("burst"), List.of(), true, 1000, null);
			}
			// The first scan after the claims' commit marks their entries dead; later ones skip them.
			table.claim("node", List.of("burst"), List.of(), true, LIMIT, null);

			long before = claimIndexPagesRead(session);
			assertThat(table.claim("node", List.of("burst"), List.of(), true, LIMIT, null).rows()).hasSize(LIMIT);
			long fromFront = claimIndexPagesRead(session) - before;
			// Past the driver's fifth run: the last runs on the plan made once per connection.
			for (int i = 0; i < 7; i++) {
				claimed = table.claim("node", List.of("burst"), List.of(), true, LIMIT, claimed.last());
			}
			before = claimIndexPagesRead(session);
			Claimed resumed = table.claim("node", List.of("burst"), List.of(), true, LIMIT, claimed.last());
			long afterLast = claimIndexPagesRead(session) - before;

			assertThat(resumed.rows()).hasSize(LIMIT);
			assertThat(fromFront).as("claim index pages read by a claim from the front").isGreaterThan(40);
			assertThat(afterLast).as("claim index pages read by a claim that resumes").isLessThan(10);
		}
	}

	@Test
	void theSessionKeepsItsPlannerSettingsAfterAClaim() throws SQLException {
		try (Connection connection = postgres.dataSource().getConnection()) {
			SingleConnectionDataSource session = new SingleConnectionDataSource(connection, true);
			String settings = "SELECT current_setting('enable_sort') || ' ' || current_setting('jit') || ' '"
					+ " || current_setting('plan_cache_mode')";
			String before = JdbcClient.create(session).sql(settings).query(String.class).single();
			new TaskClaimTable(session, names(), false).claim("node", List.of("burst"), LIMIT);

			assertThat(JdbcClient.create(session).sql(settings).query(String.class).single()).isEqualTo(before)
				.startsWith("on ");
		}
	}

	private static TableNames names() {
		return new TableNames(postgres.schema());
	}

	// What a call returned, and the rows of autotask_task it read: on one session, so that the
	// counts are those of the statements it ran.
	private static <T> Read<T> read(Function<DataSource, T> call) throws SQLException {
		try (Connection connection = postgres.dataSource().getConnection()) {
			SingleConnectionDataSource session = new SingleConnectionDataSource(connection, true);
			long before = rowsRead(session);
			T result = call.apply(session);
			return new Read<>(result, rowsRead(session) - before);
		}
	}

	private static long claimIndexPagesRead(DataSource session) {
		return SessionStatistics.indexPagesRead(session, postgres.schema() + ".autotask_task_claim_idx");
	}

	private static long rowsRead(DataSource session) {
		return SessionStatistics.rowsRead(session, postgres.schema() + ".autotask_task");
	}

	private record Read<T>(T result, long rows) {
	}

}
