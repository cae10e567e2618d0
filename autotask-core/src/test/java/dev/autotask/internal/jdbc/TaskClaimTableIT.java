package dev.autotask.internal.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.autotask.internal.jdbc.TaskClaimTable.Claimed;
import dev.autotask.internal.jdbc.TaskClaimTable.Position;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two ways a node gives a running task back: undoing a claim that never started, and
 * handing back one that may have run; and where a claim starts.
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

	@Test
	void aClaimAfterAPlaceTakesTheTasksOfItsPriorityAfterItAndNoOthers() {
		long first = aPendingTask(0, 4);
		long second = aPendingTask(0, 3);
		long tied = aPendingTask(0, 3);
		long last = aPendingTask(0, 2);
		long urgent = aPendingTask(5, 1);

		Claimed fromFront = claim(3, null);

		assertThat(ids(fromFront)).containsExactly(urgent, first, second);
		assertThat(fromFront.last()).isEqualTo(new Position(0, runAtMicros(second), second));
		// Behind the place now: one given back, and a new one of a higher priority.
		this.table.releaseMany("node-a", List.of(first));
		long urgentAgain = aPendingTask(5, 0);

		assertThat(ids(claim(10, fromFront.last()))).containsExactly(tied, last);
		assertThat(ids(claim(10, null))).containsExactly(urgentAgain, first);
	}

	@Test
	void aClaimBelowAPriorityTakesTheLowerPrioritiesInOrder() {
		long urgent = aPendingTask(5, 3);
		long middle = aPendingTask(3, 1);
		long low = aPendingTask(0, 2);
		long lower = aPendingTask(-1, 4);

		Claimed below = this.table.claimBelow("node-a", List.of("report"), List.of(), true, 2, 5);

		assertThat(ids(below)).containsExactly(middle, low);
		assertThat(below.last()).isEqualTo(new Position(0, runAtMicros(low), low));
		assertThat(ids(claim(10, null))).containsExactly(urgent, lower);
	}

	@Test
	void theEarliestPendingTaskIsReadWithTheDatabasesClock() {
		assertThat(this.table.earliest(List.of("report")).runAtMicros()).as("nothing pending").isEqualTo(Long.MAX_VALUE);
		long later = aPendingTask(0, -60);
		long sooner = aPendingTask(-5, -30);
		this.rows.aRunningTask("report", "node-a");
		postgres.jdbc().sql("INSERT INTO autotask_task (name, owner, run_at, max_attempts, ttl) "
				+ "VALUES ('other', 'test', now() - interval '1 hour', 1, interval '1 day')").update();

		TaskClaimTable.Earliest earliest = this.table.earliest(List.of("report"));

		assertThat(earliest.runAtMicros()).isEqualTo(runAtMicros(sooner)).isLessThan(runAtMicros(later));
		assertThat(earliest.runAtMicros() - earliest.nowMicros()).as("due in about half a minute, in µs")
			.isBetween(25_000_000L, 30_000_000L);
	}

	@Test
	void anInsertNotifiesWhereItsTasksAreInTheClaimIndex() throws Exception {
		TableNames names = new TableNames(postgres.schema());
		TaskClientTable client = new TaskClientTable(postgres.dataSource(), names, false);
		try (Connection listening = postgres.dataSource().getConnection();
				Statement listen = listening.createStatement()) {
			listen.execute("LISTEN " + names.channel());

			long one = client.insert(newTask(3, null, null)).id();
			List<Long> many = client.insertMany(newTask(2, null, null), List.of("[]", "[]"));
			long unique = client.insert(newTask(1, "key", null)).id();
			client.insert(newTask(4, null, "customer-1"));

			List<String> payloads = payloads(listening.unwrap(PGConnection.class), 4);
			assertThat(payloads).hasSize(4).element(3).isEqualTo(TaskClientTable.KEYED_PAYLOAD);
			assertThat(payloads.subList(0, 3)).map(TaskClientTable::placeOf)
				.containsExactly(new Position(3, runAtMicros(one), 0), new Position(2, runAtMicros(many.get(0)), 0),
						new Position(1, runAtMicros(unique), 0));
			assertThat(TaskClientTable.placeOf(payloads.get(3))).isNull();
			assertThat(TaskClientTable.placeOf("")).isNull();
			// A place is before its tasks: a claim that starts there finds them.
			assertThat(ids(claim(10, TaskClientTable.placeOf(payloads.get(1))))).containsExactlyElementsOf(many);
			assertThat(ids(claim(10, TaskClientTable.placeOf(payloads.get(0))))).containsExactly(one);
		}
	}

	// Notifications as they arrive, read until there are as many as expected or 10 s have passed.
	private static List<String> payloads(PGConnection connection, int expected) throws SQLException {
		List<String> payloads = new ArrayList<>();
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (payloads.size() < expected && System.nanoTime() < deadline) {
			PGNotification[] arrived = connection.getNotifications(500);
			for (PGNotification notification : (arrived != null) ? arrived : new PGNotification[0]) {
				payloads.add(notification.getParameter());
			}
		}
		return payloads;
	}

	private static TaskClientTable.NewTask newTask(int priority, @Nullable String uniqueKey,
			@Nullable String concurrencyKey) {
		return new TaskClientTable.NewTask("report", "default", "app", "[]", priority, Duration.ZERO, 1,
				Duration.ofDays(1), uniqueKey, null, false, concurrencyKey, 0, null, null, null);
	}

	private Claimed claim(int limit, @Nullable Position after) {
		return this.table.claim("node-a", List.of("report"), List.of(), true, limit, after);
	}

	private static List<Long> ids(Claimed claimed) {
		return claimed.rows().stream().map(TaskRow::id).toList();
	}

	// A pending task due some seconds ago; tasks due at the same time are ordered by id.
	private static long aPendingTask(int priority, int secondsAgo) {
		return postgres.jdbc()
			.sql("""
					INSERT INTO autotask_task (name, owner, priority, run_at, max_attempts, ttl)
					VALUES ('report', 'app', :priority, date_trunc('second', now()) - :seconds * interval '1 second', 1,
						interval '1 day')
					RETURNING id""")
			.param("priority", priority)
			.param("seconds", secondsAgo)
			.query(Long.class)
			.single();
	}

	private static long runAtMicros(long id) {
		return postgres.jdbc()
			.sql("SELECT (extract(epoch FROM run_at) * 1000000)::bigint FROM autotask_task WHERE id = ?")
			.param(id)
			.query(Long.class)
			.single();
	}

}
