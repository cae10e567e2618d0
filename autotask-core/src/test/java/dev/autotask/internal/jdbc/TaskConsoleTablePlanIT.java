package dev.autotask.internal.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.autotask.TaskQuery;
import dev.autotask.TaskStatus;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.SessionStatistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console's searches answer over a table of any size because each reads ranges of V14's
 * indexes that stop at the page's size or the counts' cap: counted by the rows the server read
 * for a page and its counts, which a sequential scan, or a scan of an index it cannot stop early
 * in, would push to the size of the table.
 */
class TaskConsoleTablePlanIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final int TASKS = 30_000;

	private static final int CAP = 100;

	// A search reads a page of 50 and CAP per status from the indexes of the ended tasks, and the
	// pending ones (1% here) from the claim index: a tenth of the table at most, where a scan of the
	// table, or of an index it cannot stop early in, reads all of it (300,054 rows without V14).
	private static final int MOST_ROWS_READ = TASKS / 10;

	private static void fill() {
		// Like a busy application's table: newest last, one task every 100 ms, 20 names, 5 queues,
		// 1% failed with an error, 1% pending, a third started by a person, 30 members of a group.
		postgres.jdbc().sql("""
				INSERT INTO autotask_task (name, queue, owner, args, status, max_attempts, ttl, created_at,
					finished_at, error, error_search, started_by, group_id)
				SELECT 'task.' || (i % 20), 'q' || (i % 5), 'shop', jsonb_build_array(i % 1000),
					CASE WHEN i % 100 = 0 THEN 'FAILURE' WHEN i % 97 = 0 THEN 'PENDING' ELSE 'SUCCESS' END, 1,
					interval '1 day', now() - (:tasks - i) * interval '100 ms',
					CASE WHEN i % 97 = 0 THEN NULL ELSE now() - (:tasks - i) * interval '100 ms' END,
					CASE WHEN i % 100 = 0 THEN jsonb_build_object('message', 'failure number ' || i) END,
					CASE WHEN i % 100 = 0 THEN 'failure number ' || i END,
					CASE WHEN i % 3 = 0 THEN 'ann' END, CASE WHEN i % 1000 = 7 THEN 1 END
				FROM generate_series(1, :tasks) AS i""").param("tasks", TASKS).update();
		postgres.jdbc().sql("VACUUM ANALYZE autotask_task").update();
	}

	@Test
	void eachSearchAndItsCountsReadAPageAndTheCapNeverTheTable() throws SQLException {
		fill();
		Instant now = Instant.now();
		Map<String, TaskQuery> searches = new LinkedHashMap<>();
		searches.put("every task", TaskQuery.all());
		searches.put("failures", TaskQuery.builder().status(TaskStatus.FAILURE).build());
		searches.put("one name", TaskQuery.builder().name("task.3").build());
		searches.put("a rare name", TaskQuery.builder().name("task.3").status(TaskStatus.PENDING).build());
		searches.put("one queue, pending", TaskQuery.builder().queue("q2").status(TaskStatus.PENDING).build());
		searches.put("created in an hour long ago", TaskQuery.builder()
			.createdFrom(now.minus(Duration.ofMinutes(45)))
			.createdTo(now.minus(Duration.ofMinutes(44)))
			.build());
		searches.put("finished in the last 10 minutes",
				TaskQuery.builder().finishedFrom(now.minus(Duration.ofMinutes(10))).build());
		searches.put("started by one person", TaskQuery.builder().startedBy("ann").status(TaskStatus.FAILURE).build());
		searches.put("error text", TaskQuery.builder().errorContains("number 55").build());
		searches.put("an argument", TaskQuery.builder().argsContain("[5]").build());
		searches.put("one group", TaskQuery.builder().group(1L).build());
		searches.put("a deep page", TaskQuery.builder().before((long) TASKS / 2).build());

		try (Connection connection = postgres.dataSource().getConnection()) {
			// One session, so that the rows counted are those its statements read.
			SingleConnectionDataSource session = new SingleConnectionDataSource(connection, true);
			TaskConsoleTable table = new TaskConsoleTable(session, new TableNames(postgres.schema()));
			searches.forEach((label, query) -> {
				long before = rowsRead(session);
				int found = table.find(query, "shop").size();
				assertThat(found).as("tasks found by '%s'", label).isPositive();
				Map<TaskStatus, Long> counts = table.count(query, "shop", CAP);
				long read = rowsRead(session) - before;
				assertThat(read).as("rows read by a page (%d found) and its counts %s of '%s' over %d tasks", found,
						counts, label, TASKS)
					.isLessThan(MOST_ROWS_READ);
			});
		}
	}

	@Test
	void theSearchByErrorTextReadsTheErrorIndexAloneNotTheFailedTasksRows() throws SQLException {
		fillAllVisible();
		// 300 failures, of which one matches: the page and the counts go through all of them.
		Search search = search(TaskQuery.builder().errorContains("NUMBER 55").build());

		assertThat(search.found()).isOne();
		assertThat(search.counts()).isEqualTo(Map.of(TaskStatus.FAILURE, 1L));
		// The rows of the page alone, where matching the error's own message fetched each
		// failure's row, for the page and again for the counts (about 600 here).
		assertThat(search.fetched()).as("rows fetched by a page and its counts").isEqualTo(search.found());
	}

	@Test
	void theSearchOfPendingTasksReadsThePageNotTheBacklog() throws SQLException {
		fillAllVisible();
		// 309 pending tasks, spread over the table: without the console's index of pending tasks
		// (V24), the page and its count read every one of them from the claim index's rows.
		Search search = search(TaskQuery.builder().status(TaskStatus.PENDING).limit(20).build());

		assertThat(search.found()).isEqualTo(20);
		// Counted per status whatever the search's status, each up to the cap.
		assertThat(search.counts().get(TaskStatus.PENDING)).isEqualTo((long) CAP);
		// The page's rows (and the one past it, which says there is a next page) alone.
		assertThat(search.fetched()).as("rows fetched by a page and its counts").isLessThanOrEqualTo(search.found() + 1);
	}

	// A page of the owner's tasks and its counts on one session, and the table's rows they fetched.
	private static Search search(TaskQuery query) throws SQLException {
		try (Connection connection = postgres.dataSource().getConnection()) {
			SingleConnectionDataSource session = new SingleConnectionDataSource(connection, true);
			TaskConsoleTable table = new TaskConsoleTable(session, new TableNames(postgres.schema()));
			long before = SessionStatistics.rowsFetched(session, postgres.schema() + ".autotask_task");
			int found = table.find(query, "shop").size();
			Map<TaskStatus, Long> counts = table.count(query, "shop", CAP);
			long fetched = SessionStatistics.rowsFetched(session, postgres.schema() + ".autotask_task") - before;
			return new Search(found, counts, fetched);
		}
	}

	private record Search(int found, Map<TaskStatus, Long> counts, long fetched) {
	}

	// An index-only scan reads the rows of the pages not known to be all visible: fill, then wait
	// until a vacuum has found them so (a transaction of another session open since the fill holds
	// it back).
	private static void fillAllVisible() {
		fill();
		await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
			postgres.jdbc().sql("VACUUM autotask_task").update();
			return postgres.jdbc()
				.sql("SELECT relallvisible >= relpages FROM pg_class WHERE oid = CAST(:table AS regclass)")
				.param("table", postgres.schema() + ".autotask_task")
				.query(Boolean.class)
				.single();
		});
	}

	private static long rowsRead(SingleConnectionDataSource session) {
		return SessionStatistics.rowsRead(session, postgres.schema() + ".autotask_task");
	}

}
