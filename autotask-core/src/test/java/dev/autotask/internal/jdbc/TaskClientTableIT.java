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

import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How a cancel stops a task and its chain: the links still to run at once, the running one
 * when it next writes (no next link, no snooze).
 */
class TaskClientTableIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private final TableNames names = new TableNames(postgres.schema());

	private TaskRows rows;

	private TaskClientTable table;

	// The statements of the links' runner, which end a link and insert the next.
	private TaskRunTable runs;

	@BeforeEach
	void setUp() {
		this.rows = new TaskRows(postgres);
		this.table = new TaskClientTable(postgres.dataSource(), this.names, false);
		this.runs = new TaskRunTable(postgres.dataSource(), this.names, false);
	}

	@Test
	void noNextLinkIsInsertedOnceACancelWasRequestedForTheRunningLink() {
		TaskRow link = claimed(this.rows.aPendingTask("chain", "test", "[1]"));

		assertThat(this.table.cancel(link.id(), "test")).contains("RUNNING");

		assertThat(this.runs.insertNext(link, "[2]", 1)).isEmpty();
		assertThat(this.rows.count()).isOne();
	}

	@Test
	void cancelOfAnyLinkCancelsTheLinkStillToRunAndAsksTheRunningOneToStop() {
		TaskRow first = claimed(this.rows.aPendingTask("chain", "test", "[1]"));
		long second = this.runs.insertNext(first, "[2]", 1).orElseThrow();
		assertThat(this.runs.complete(first, "node-a", null)).isTrue();
		TaskRow running = claimed(second);
		long third = this.runs.insertNext(running, "[3]", 1).orElseThrow();

		assertThat(this.table.cancel(first.id(), "other")).as("another owner").isEmpty();
		assertThat(this.table.cancel(first.id(), "test")).as("the first link, ended").contains("SUCCESS");

		assertThat(this.rows.column(third, "status")).isEqualTo("CANCELLED");
		assertThat(this.rows.column(third, "finished_at")).isNotNull();
		assertThat(this.rows.column(second, "status")).isEqualTo("RUNNING");
		assertThat(this.rows.column(second, "cancel_requested")).isEqualTo("true");
		assertThat(this.runs.insertNext(running, "[4]", 1)).isEmpty();
	}

	@Test
	void cancelOfALaterLinkStopsTheWholeChain() {
		TaskRow first = claimed(this.rows.aPendingTask("chain", "test", "[1]"));
		long second = this.runs.insertNext(first, "[2]", 1).orElseThrow();
		this.runs.complete(first, "node-a", null);

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
			TaskRunTable continuation = new TaskRunTable(new SingleConnectionDataSource(connection, true), this.names,
					false);
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
		TaskClientTable table = new TaskClientTable(postgres.dataSource(), this.names, true);
		long pending = this.rows.aPendingTask("report", "test", "[]");

		assertThat(table.cancel(pending, "test")).contains("CANCELLED");
		assertThat(table.cancel(pending, "test")).as("again").contains("CANCELLED");

		assertThat(this.rows.events()).containsExactly(pending + " CANCELLED");
	}

	@Test
	void snoozeOfATaskAskedToStopEndsItCancelledWithItsEvent() {
		TaskRunTable runs = new TaskRunTable(postgres.dataSource(), this.names, true);
		TaskRow running = claimed(this.rows.aPendingTask("walk", "test", "[]"));
		TaskRow other = claimed(this.rows.aPendingTask("walk", "test", "[]"));
		new TaskClientTable(postgres.dataSource(), this.names, true).cancel(running.id(), "test");

		assertThat(runs.snooze(running, "node-a", Duration.ZERO)).contains("CANCELLED");
		assertThat(runs.snooze(other, "node-a", Duration.ZERO)).contains("PENDING");

		assertThat(this.rows.column(running.id(), "status")).isEqualTo("CANCELLED");
		assertThat(this.rows.column(running.id(), "attempt")).isEqualTo("1");
		assertThat(this.rows.column(running.id(), "finished_at")).isNotNull();
		assertThat(this.rows.events()).containsExactly(running.id() + " CANCELLED");
	}

	private TaskRow claimed(long id) {
		List<TaskRow> claimed = new TaskClaimTable(postgres.dataSource(), this.names, false).claim("node-a",
				Set.of(this.rows.column(id, "name")), 1);
		assertThat(claimed).extracting(TaskRow::id).containsExactly(id);
		return claimed.get(0);
	}

	private long waitingForALock() {
		return postgres.jdbc()
			.sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND position(? IN query) > 0")
			.param(this.names.task())
			.query(Long.class)
			.single();
	}

}
