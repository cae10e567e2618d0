package dev.autotask.internal.jdbc;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static dev.autotask.testsupport.SessionStatistics.sequentialScans;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The two ways a node gives a running task back (undoing a claim that never started, and
 * handing back one that may have run), how outcomes are written in a batch, and how a cancel
 * stops a task and its chain.
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

			assertThat(table.endMany("node-a", outcomes).keySet()).containsExactlyInAnyOrderElementsOf(claimed);
			assertThat(sequentialScans(one, "autotask_task")).isEqualTo(scansBefore);
			connection.commit();
		}
		assertThat(this.rows.column(claimed.get(0), "status")).isEqualTo("SUCCESS");
	}

	@Test
	void noNextLinkIsInsertedOnceACancelWasRequestedForTheRunningLink() {
		TaskRow link = claimed(this.rows.aPendingTask("chain", "test", "[1]"));

		assertThat(this.table.cancel(link.id(), "test")).contains("RUNNING");

		assertThat(this.table.insertNext(link, "[2]", 1)).isEmpty();
		assertThat(this.rows.count()).isOne();
	}

	@Test
	void cancelOfAnyLinkCancelsTheLinkStillToRunAndAsksTheRunningOneToStop() {
		TaskRow first = claimed(this.rows.aPendingTask("chain", "test", "[1]"));
		long second = this.table.insertNext(first, "[2]", 1).orElseThrow();
		assertThat(this.table.complete(first, "node-a", null)).isTrue();
		TaskRow running = claimed(second);
		long third = this.table.insertNext(running, "[3]", 1).orElseThrow();

		assertThat(this.table.cancel(first.id(), "other")).as("another owner").isEmpty();
		assertThat(this.table.cancel(first.id(), "test")).as("the first link, ended").contains("SUCCESS");

		assertThat(this.rows.column(third, "status")).isEqualTo("CANCELLED");
		assertThat(this.rows.column(third, "finished_at")).isNotNull();
		assertThat(this.rows.column(second, "status")).isEqualTo("RUNNING");
		assertThat(this.rows.column(second, "cancel_requested")).isEqualTo("true");
		assertThat(this.table.insertNext(running, "[4]", 1)).isEmpty();
	}

	@Test
	void cancelOfALaterLinkStopsTheWholeChain() {
		TaskRow first = claimed(this.rows.aPendingTask("chain", "test", "[1]"));
		long second = this.table.insertNext(first, "[2]", 1).orElseThrow();
		this.table.complete(first, "node-a", null);

		assertThat(this.table.cancel(second, "test")).contains("CANCELLED");
		assertThat(this.table.cancel(first.id(), "test")).as("again, by the first id").contains("SUCCESS");

		assertThat(this.rows.column(second, "status")).isEqualTo("CANCELLED");
	}

	/**
	 * A cancel that waits for the link a continuation holds cannot see the next link that
	 * continuation inserts: it must look again once it has the link, or the chain goes on.
	 */
	@Test
	void cancelThatWaitedForAContinuationCancelsTheLinkItInserted() throws Exception {
		TaskRow first = claimed(this.rows.aPendingTask("chain", "test", "[1]"));
		long next;
		CompletableFuture<Optional<String>> cancel;
		try (Connection connection = postgres.dataSource().getConnection()) {
			connection.setAutoCommit(false);
			TaskTable continuation = new TaskTable(new SingleConnectionDataSource(connection, true),
					new TableNames(postgres.schema()));
			next = continuation.insertNext(first, "[2]", 1).orElseThrow();
			assertThat(continuation.complete(first, "node-a", null)).isTrue();

			cancel = CompletableFuture.supplyAsync(() -> this.table.cancel(first.id(), "test"));
			await().atMost(Duration.ofSeconds(10)).until(() -> waitingForALock() == 1);
			connection.commit();
		}

		assertThat(cancel.get(10, TimeUnit.SECONDS)).contains("SUCCESS");
		assertThat(this.rows.column(next, "status")).isEqualTo("CANCELLED");
	}

	@Test
	void cancelOfAPendingTaskWritesItsEventInTheSameStatement() {
		TaskTable table = new TaskTable(postgres.dataSource(), new TableNames(postgres.schema()), true);
		long pending = this.rows.aPendingTask("report", "test", "[]");

		assertThat(table.cancel(pending, "test")).contains("CANCELLED");
		assertThat(table.cancel(pending, "test")).as("again").contains("CANCELLED");

		assertThat(events()).containsExactly(pending + " CANCELLED");
	}

	@Test
	void snoozeOfATaskAskedToStopEndsItCancelledWithItsEvent() {
		TaskTable table = new TaskTable(postgres.dataSource(), new TableNames(postgres.schema()), true);
		TaskRow running = claimed(this.rows.aPendingTask("walk", "test", "[]"));
		TaskRow other = claimed(this.rows.aPendingTask("walk", "test", "[]"));
		table.cancel(running.id(), "test");

		assertThat(table.snooze(running, "node-a", Duration.ZERO)).contains("CANCELLED");
		assertThat(table.snooze(other, "node-a", Duration.ZERO)).contains("PENDING");

		assertThat(this.rows.column(running.id(), "status")).isEqualTo("CANCELLED");
		assertThat(this.rows.column(running.id(), "attempt")).isEqualTo("1");
		assertThat(this.rows.column(running.id(), "finished_at")).isNotNull();
		assertThat(events()).containsExactly(running.id() + " CANCELLED");
	}

	@Test
	void handBackOfATaskAskedToStopEndsItCancelledWithItsEvent() {
		TaskTable table = new TaskTable(postgres.dataSource(), new TableNames(postgres.schema()), true);
		long asked = this.rows.aRunningTask("report", "node-a");
		long other = this.rows.aRunningTask("report", "node-a");
		table.cancel(asked, "test");

		assertThat(table.handBack("node-a")).isEqualTo(2);

		assertThat(this.rows.column(asked, "status")).isEqualTo("CANCELLED");
		assertThat(this.rows.column(asked, "rescues")).isEqualTo("0");
		assertThat(this.rows.column(other, "status")).isEqualTo("PENDING");
		assertThat(events()).containsExactly(asked + " CANCELLED");
	}

	private TaskRow claimed(long id) {
		List<TaskRow> claimed = this.table.claim("node-a", Set.of(this.rows.column(id, "name")), 1);
		assertThat(claimed).extracting(TaskRow::id).containsExactly(id);
		return claimed.get(0);
	}

	private List<String> events() {
		return postgres.jdbc()
			.sql("SELECT task_id || ' ' || outcome FROM autotask_outbox ORDER BY id")
			.query(String.class)
			.list();
	}

	private long waitingForALock() {
		return postgres.jdbc()
			.sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND position(? IN query) > 0")
			.param(new TableNames(postgres.schema()).task())
			.query(Long.class)
			.single();
	}

}
