package dev.autotask.internal.jdbc;

import java.util.List;

import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two ways a node gives a running task back: undoing a claim that never started, and
 * handing back one that may have run.
 */
class TaskClaimTableIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private TaskRows rows;

	private TaskClaimTable table;

	@BeforeEach
	void setUp() {
		this.rows = new TaskRows(postgres);
		this.table = new TaskClaimTable(postgres.dataSource(), new TableNames(postgres.schema()), false);
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

	@Test
	void handBackOfATaskAskedToStopEndsItCancelledWithItsEvent() {
		TableNames names = new TableNames(postgres.schema());
		TaskClaimTable table = new TaskClaimTable(postgres.dataSource(), names, true);
		long asked = this.rows.aRunningTask("report", "node-a");
		long other = this.rows.aRunningTask("report", "node-a");
		new TaskClientTable(postgres.dataSource(), names, true).cancel(asked, "test");

		assertThat(table.handBack("node-a")).isEqualTo(2);

		assertThat(this.rows.column(asked, "status")).isEqualTo("CANCELLED");
		assertThat(this.rows.column(asked, "rescues")).isEqualTo("0");
		assertThat(this.rows.column(other, "status")).isEqualTo("PENDING");
		assertThat(this.rows.events()).containsExactly(asked + " CANCELLED");
	}

}
