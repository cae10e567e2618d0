package dev.autotask.internal.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import dev.autotask.engine.TaskObserver;
import dev.autotask.internal.jdbc.TableNames;
import dev.autotask.internal.jdbc.TaskRow;
import dev.autotask.internal.jdbc.TaskClientTable;
import dev.autotask.internal.jdbc.TaskOutcomeTable;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.internal.supervisor.OutcomeCounts;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Batched outcomes on a real PostgreSQL: the guards of the single-row statements, observers
 * only after the commit, retries of a failed write, and a stop that writes everything.
 */
class CompleterIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final String NODE = "node-a";

	private final List<String> observed = new CopyOnWriteArrayList<>();

	private final FlakyDataSource dataSource = new FlakyDataSource();

	private final HeldTasks held = new HeldTasks();

	private TaskRows rows;

	private TaskClientTable table;

	private Completer completer;

	private Thread thread;

	@BeforeEach
	void setUp() {
		this.rows = new TaskRows(postgres);
		this.table = new TaskClientTable(this.dataSource, new TableNames(postgres.schema()), true);
		TaskObserver observer = new TaskObserver() {

			@Override
			public void ended(String task, String queue, Outcome outcome, Duration runTime) {
				// Told only once the outcome has committed: another connection already sees it.
				CompleterIT.this.observed.add(task + " " + outcome + " " + statusOf(task));
			}

		};
		TaskOutcomeTable outcomes = new TaskOutcomeTable(this.dataSource, new TableNames(postgres.schema()), true);
		this.completer = new Completer(outcomes, NODE, new TaskJson(), observer, () -> {
		}, java.util.Set.of(), this.held, new OutcomeCounts());
		this.thread = new Thread(this.completer, "test-completer");
		this.thread.start();
	}

	@AfterEach
	void tearDown() throws InterruptedException {
		this.dataSource.down.set(false);
		this.completer.stop(Duration.ofSeconds(5));
		this.thread.join(Duration.ofSeconds(10).toMillis());
	}

	@Test
	void writesSuccessesFailuresAndRetriesTogetherWithTheirEvents() {
		TaskRow done = running("done");
		TaskRow broken = running("broken");
		TaskRow flaky = running("flaky");

		this.completer.submit(done, Completer.success(done, "\"ok\""), Duration.ZERO);
		this.completer.submit(broken, Completer.failure(broken, null, "{\"type\":\"X\"}"), Duration.ZERO);
		this.completer.submit(flaky, Completer.retry(flaky, "{\"type\":\"Y\"}", Duration.ofHours(1)), Duration.ZERO);

		await().atMost(Duration.ofSeconds(10)).until(() -> this.observed.size() == 3);
		assertThat(this.observed).containsExactlyInAnyOrder("done SUCCESS SUCCESS", "broken FAILURE FAILURE",
				"flaky RETRY PENDING");
		assertThat(this.rows.column(done.id(), "result")).isEqualTo("\"ok\"");
		assertThat(this.rows.column(broken.id(), "error")).isEqualTo("{\"type\": \"X\"}");
		assertThat(this.rows.column(flaky.id(), "node_id")).isNull();
		assertThat(this.rows.column(flaky.id(), "(run_at > now() + interval '50 minutes')")).isEqualTo("true");
		// A retry has not ended: only the success and the failure have events.
		assertThat(postgres.jdbc()
			.sql("SELECT outcome FROM " + postgres.schema() + ".autotask_outbox_event ORDER BY task_id")
			.query(String.class)
			.list()).containsExactly("SUCCESS", "FAILURE");
	}

	@Test
	void staleAttemptOrForeignNodeDoesNotOverwrite() {
		TaskRow current = running("current");
		TaskRow stale = new TaskRow(current.id(), current.name(), current.queue(), current.owner(), "RUNNING",
				current.args(), current.attempt() - 1, current.maxAttempts(), current.createdAt(), current.runAt(),
				current.startedAt(), null, null, null, null, null, 0, null, null, null, null);
		long foreign = this.rows.aRunningTask("foreign", "node-b");
		TaskRow foreignRow = row(foreign);
		TaskRow other = running("other");

		this.completer.submit(stale, Completer.failure(stale, null, "{}"), Duration.ZERO);
		this.completer.submit(foreignRow, Completer.success(foreignRow, null), Duration.ZERO);
		this.completer.submit(other, Completer.success(other, null), Duration.ZERO);

		await().atMost(Duration.ofSeconds(10)).until(() -> this.observed.contains("other SUCCESS SUCCESS"));
		this.completer.stop(Duration.ofSeconds(5));
		assertThat(this.rows.column(current.id(), "status")).isEqualTo("RUNNING");
		assertThat(this.rows.column(foreign, "status")).isEqualTo("RUNNING");
		assertThat(this.observed).containsExactly("other SUCCESS SUCCESS");
	}

	@Test
	void retriesAFailedWriteUntilTheDatabaseIsBackHoldingTheTaskMeanwhile() {
		TaskRow task = running("patient");
		this.dataSource.down.set(true);

		this.completer.submit(task, Completer.success(task, null), Duration.ZERO);

		await().atMost(Duration.ofSeconds(10)).until(() -> this.dataSource.refused.get() >= 2);
		assertThat(this.rows.column(task.id(), "status")).isEqualTo("RUNNING");
		assertThat(this.observed).isEmpty();
		// Not a stray: the node still holds its outcome.
		assertThat(this.held.ids()).containsExactly(task.id());
		this.dataSource.down.set(false);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.observed.contains("patient SUCCESS SUCCESS"));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.held.ids().isEmpty());
	}

	@Test
	void recordsAFailureInPlaceOfAnOutcomeTheDatabaseRefuses() {
		TaskRow fine = running("fine");
		TaskRow bad = running("bad");

		this.completer.submit(fine, Completer.success(fine, "1"), Duration.ZERO);
		this.completer.submit(bad, Completer.success(bad, "not json"), Duration.ZERO);

		await().atMost(Duration.ofSeconds(10)).until(() -> this.observed.size() == 2);
		assertThat(this.observed).containsExactlyInAnyOrder("fine SUCCESS SUCCESS", "bad FAILURE FAILURE");
		assertThat(this.rows.column(bad.id(), "error")).contains("the database refused its outcome");
	}

	@Test
	void stopWritesEveryOutcomeHandedOver() throws InterruptedException {
		List<TaskRow> tasks = LongStream.range(0, 2000).mapToObj((i) -> running("many")).toList();

		tasks.forEach((task) -> this.completer.submit(task, Completer.success(task, null), Duration.ZERO));
		this.completer.stop(Duration.ofSeconds(10));
		this.thread.join(Duration.ofSeconds(20).toMillis());

		assertThat(this.thread.isAlive()).isFalse();
		assertThat(postgres.jdbc()
			.sql("SELECT count(*) FROM " + postgres.schema() + ".autotask_task WHERE status = 'SUCCESS'")
			.query(Long.class)
			.single()).isEqualTo(2000);
	}

	private TaskRow running(String name) {
		return row(this.rows.aRunningTask(name, NODE));
	}

	private TaskRow row(long id) {
		return this.table.find(id, "test").orElseThrow();
	}

	private String statusOf(String name) {
		return postgres.jdbc()
			.sql("SELECT string_agg(DISTINCT status, ',') FROM " + postgres.schema() + ".autotask_task WHERE name = ?")
			.param(name)
			.query(String.class)
			.single();
	}

	/**
	 * The test's database, which can be made unreachable.
	 */
	private static final class FlakyDataSource extends DelegatingDataSource {

		final AtomicBoolean down = new AtomicBoolean();

		final AtomicInteger refused = new AtomicInteger();

		FlakyDataSource() {
			super(postgres.dataSource());
		}

		@Override
		public Connection getConnection() throws SQLException {
			if (this.down.get()) {
				this.refused.incrementAndGet();
				throw new SQLTransientConnectionException("The test took the database away", "08001");
			}
			return super.getConnection();
		}

	}

}
