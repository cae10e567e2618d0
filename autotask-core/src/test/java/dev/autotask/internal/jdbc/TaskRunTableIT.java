package dev.autotask.internal.jdbc;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a running task that was asked to stop goes no further: no next link, no snooze.
 */
class TaskRunTableIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private final TableNames names = new TableNames(postgres.schema());

	private TaskRows rows;

	private TaskRunTable table;

	@BeforeEach
	void setUp() {
		this.rows = new TaskRows(postgres);
		this.table = new TaskRunTable(postgres.dataSource(), this.names, false);
	}

	@Test
	void noNextLinkIsInsertedOnceACancelWasRequestedForTheRunningLink() {
		TaskRow link = claimed(this.rows.aPendingTask("chain", "test", "[1]"));

		assertThat(new TaskClientTable(postgres.dataSource(), this.names, false).cancel(link.id(), "test"))
			.contains("RUNNING");

		assertThat(this.table.insertNext(link, "[2]", 1)).isEmpty();
		assertThat(this.rows.count()).isOne();
	}

	@Test
	void snoozeOfATaskAskedToStopEndsItCancelledWithItsEvent() {
		TaskRunTable table = new TaskRunTable(postgres.dataSource(), this.names, true);
		TaskRow running = claimed(this.rows.aPendingTask("walk", "test", "[]"));
		TaskRow other = claimed(this.rows.aPendingTask("walk", "test", "[]"));
		new TaskClientTable(postgres.dataSource(), this.names, true).cancel(running.id(), "test");

		assertThat(table.snooze(running, "node-a", Duration.ZERO)).contains("CANCELLED");
		assertThat(table.snooze(other, "node-a", Duration.ZERO)).contains("PENDING");

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

}
