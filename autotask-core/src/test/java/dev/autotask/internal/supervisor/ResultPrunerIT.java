package dev.autotask.internal.supervisor;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.autotask.engine.Engine;
import dev.autotask.engine.EngineSettings;
import dev.autotask.internal.jdbc.TableNames;
import dev.autotask.internal.jdbc.TaskMaintenanceTable;
import dev.autotask.schedule.Every;
import dev.autotask.schedule.Misfire;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import dev.autotask.task.TaskSchedule;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskCounts;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link ResultPruner} on a real PostgreSQL, driven by {@link ResultPruner#runOnce()} and its
 * slices, and the engine's own schedule of it.
 */
class ResultPrunerIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final Duration TTL = Duration.ofHours(1);

	// Ended two hours ago with a one-hour TTL: expired an hour ago.
	private static final Duration LONG_AGO = Duration.ofHours(2);

	// Ended ten minutes ago with a one-hour TTL: kept for another fifty minutes.
	private static final Duration RECENTLY = Duration.ofMinutes(10);

	private TaskRows rows;

	private TaskCounts counts;

	private ResultPruner pruner;

	@BeforeEach
	void setUp() {
		this.rows = new TaskRows(postgres);
		this.counts = new TaskCounts(postgres);
		this.pruner = new ResultPruner(
				new TaskMaintenanceTable(postgres.dataSource(), new TableNames(postgres.schema()), false), 0);
	}

	@Test
	void deletesSucceededTaskPastItsTtlAndKeepsOneWithinIt() {
		long expired = this.rows.aSucceededTask("report", LONG_AGO, TTL);
		long kept = this.rows.aSucceededTask("report", RECENTLY, TTL);

		int deleted = this.pruner.runOnce();

		assertThat(deleted).isOne();
		assertThat(this.rows.exists(expired)).isFalse();
		assertThat(this.rows.exists(kept)).isTrue();
	}

	@Test
	void aPruneOnAThreadThatIsStoppingEndsAfterOneBatch() {
		endedTasks("SUCCESS", ResultPruner.BATCH + 500, LONG_AGO, TTL);

		Thread.currentThread().interrupt();
		int deleted;
		try {
			deleted = this.pruner.runOnce();
		}
		finally {
			Thread.interrupted();
		}

		assertThat(deleted).isEqualTo(ResultPruner.BATCH);
		assertThat(this.pruner.runOnce()).as("the rest, at the next prune").isEqualTo(500);
	}

	@Test
	void ttlIsPerTask() {
		long shortLived = this.rows.aSucceededTask("report", RECENTLY, Duration.ofMinutes(5));
		long longLived = this.rows.aSucceededTask("report", LONG_AGO, Duration.ofDays(1));

		assertThat(this.pruner.runOnce()).isOne();
		assertThat(this.rows.exists(shortLived)).isFalse();
		assertThat(this.rows.exists(longLived)).isTrue();
	}

	@Test
	void deletesFailedAndCancelledTasksPastTheirTtl() {
		endedTasks("FAILURE", 3, LONG_AGO, TTL);
		endedTasks("CANCELLED", 2, LONG_AGO, TTL);
		endedTasks("FAILURE", 1, RECENTLY, TTL);

		assertThat(this.pruner.runOnce()).isEqualTo(5);
		assertThat(this.counts.byStatus()).isEqualTo(Map.of("FAILURE", 1L));
	}

	@Test
	void keepsPendingAndRunningTasks() {
		long pending = this.rows.aPendingTask("report", "test", "[]");
		long running = aRunningTask("report", "node-a");
		long expired = this.rows.aSucceededTask("report", LONG_AGO, TTL);

		assertThat(this.pruner.runOnce()).isOne();
		assertThat(this.rows.exists(pending)).isTrue();
		assertThat(this.rows.exists(running)).isTrue();
		assertThat(this.rows.exists(expired)).isFalse();
	}

	@Test
	void deletesTheGroupsWhoseCallbackAndMembersAreGoneAndKeepsTheOthers() {
		long gone = aGroup(LONG_AGO, 1_000_000L);
		long withAMember = aGroup(LONG_AGO, 1_000_001L);
		postgres.jdbc().sql("INSERT INTO " + postgres.schema() + ".autotask_task (name, owner, args, max_attempts, ttl,"
				+ " group_id) VALUES ('report', 'test', '[]', 1, interval '1 hour', ?)").param(withAMember).update();
		long notCalledBack = aGroup(LONG_AGO, null);
		long recent = aGroup(RECENTLY, 1_000_002L);

		this.pruner.runOnce();

		assertThat(postgres.jdbc().sql("SELECT id FROM " + postgres.schema() + ".autotask_group").query(Long.class).list())
			.containsExactlyInAnyOrder(withAMember, notCalledBack, recent)
			.doesNotContain(gone);
	}

	@Test
	void deletesTheKeyRatesThatHoldNothingBack() {
		postgres.jdbc().sql("INSERT INTO " + postgres.schema() + ".autotask_key_rate (concurrency_key, next_start)"
				+ " VALUES ('passed', now() - interval '2 minutes'), ('ahead', now() + interval '10 seconds')").update();

		this.pruner.runOnce();

		assertThat(postgres.jdbc().sql("SELECT concurrency_key FROM " + postgres.schema() + ".autotask_key_rate")
			.query(String.class).list()).containsExactly("ahead");
	}

	// A group sent some time ago with a one-hour TTL, called back by a task, or not yet.
	private long aGroup(Duration sentAgo, Long callbackTaskId) {
		return postgres.jdbc().sql("INSERT INTO " + postgres.schema() + ".autotask_group (owner, total, callback_name,"
				+ " callback_queue, callback_max_attempts, callback_ttl, channel, created_at, callback_task_id)"
				+ " VALUES ('test', 1, 'done', 'default', 1, interval '1 hour', 'c', now() - ? * interval '1 second', ?)"
				+ " RETURNING id")
			.params(sentAgo.toSeconds(), callbackTaskId)
			.query(Long.class)
			.single();
	}

	@Test
	void findsNothingInAnEmptyTable() {
		assertThat(this.pruner.runOnce()).isZero();
	}

	@Test
	void deletesMoreThanOneBatchInOneRun() {
		assertThat(ResultPruner.BATCH).isLessThan(2500);
		endedTasks("SUCCESS", 2500, LONG_AGO, TTL);
		long kept = this.rows.aSucceededTask("report", RECENTLY, TTL);

		assertThat(this.pruner.runOnce()).isEqualTo(2500);
		assertThat(this.rows.count()).isOne();
		assertThat(this.rows.exists(kept)).isTrue();
		assertThat(this.pruner.runOnce()).isZero();
	}

	@Test
	void deletesAnExactMultipleOfTheBatch() {
		// The last full batch is followed by one empty batch, which ends the run.
		endedTasks("SUCCESS", 2 * ResultPruner.BATCH, LONG_AGO, TTL);

		assertThat(this.pruner.runOnce()).isEqualTo(2 * ResultPruner.BATCH);
		assertThat(this.rows.count()).isZero();
	}

	@Test
	void aSliceDeletesItsBatchesAtMostAndSaysWhetherItWasTheLast() {
		int slice = ResultPruner.SLICE * ResultPruner.BATCH;
		endedTasks("SUCCESS", slice + 500, LONG_AGO, TTL);

		assertThat(this.pruner.runSlice(Duration.ZERO)).isEqualTo(new ResultPruner.Slice(slice, false));
		assertThat(this.rows.count()).isEqualTo(500);
		assertThat(this.pruner.runSlice(Duration.ZERO)).isEqualTo(new ResultPruner.Slice(500, true));
		assertThat(this.rows.count()).isZero();
	}

	@Test
	void aSliceOfAPruneThatStartedAWhileAgoLeavesWhatExpiredSince() {
		long longExpired = this.rows.aSucceededTask("report", LONG_AGO, TTL);
		// Expired five minutes ago.
		long lately = this.rows.aSucceededTask("report", TTL.plusMinutes(5), TTL);

		assertThat(this.pruner.runSlice(Duration.ofMinutes(10))).isEqualTo(new ResultPruner.Slice(1, true));
		assertThat(this.rows.exists(longExpired)).isFalse();
		assertThat(this.rows.exists(lately)).as("for the next prune").isTrue();
		assertThat(this.pruner.runSlice(Duration.ZERO)).isEqualTo(new ResultPruner.Slice(1, true));
	}

	@Test
	void keepsTheLastRunsOfEachTaskPastTheirTtlForTheHistory() {
		long oldest = this.rows.aSucceededTask("report", LONG_AGO.plusHours(3), TTL);
		long older = this.rows.aSucceededTask("report", LONG_AGO.plusHours(2), TTL);
		long newer = this.rows.aSucceededTask("report", LONG_AGO.plusHours(1), TTL);
		long newest = this.rows.aSucceededTask("report", LONG_AGO, TTL);
		long otherTask = this.rows.aSucceededTask("invoice", LONG_AGO.plusHours(5), TTL);
		ResultPruner keepingTwo = new ResultPruner(
				new TaskMaintenanceTable(postgres.dataSource(), new TableNames(postgres.schema()), false), 2);

		assertThat(keepingTwo.runOnce()).isEqualTo(2);

		assertThat(this.rows.exists(oldest)).isFalse();
		assertThat(this.rows.exists(older)).isFalse();
		assertThat(this.rows.exists(newer)).isTrue();
		assertThat(this.rows.exists(newest)).isTrue();
		assertThat(this.rows.exists(otherTask)).isTrue();
	}

	@Test
	void engineDeletesExpiredTasksEveryCleanInterval() {
		long expired = this.rows.aSucceededTask("report", LONG_AGO, TTL);
		long kept = this.rows.aSucceededTask("report", RECENTLY, TTL);
		EngineSettings settings = EngineSettings.builder()
			.schema(postgres.schema())
			.cleanInterval(Duration.ofMillis(200))
			.historyPerTask(0)
			.build();
		Engine engine = Engine.builder(postgres.dataSource(), new TaskRegistry()).settings(settings).build();
		engine.start();
		try {
			await().atMost(Duration.ofSeconds(10)).until(() -> !this.rows.exists(expired));
			// A task that expires later goes in a later run: the pruning repeats, not just once.
			long expiredLater = this.rows.aSucceededTask("report", LONG_AGO, TTL);
			await().atMost(Duration.ofSeconds(10)).until(() -> !this.rows.exists(expiredLater));
			assertThat(this.rows.exists(kept)).isTrue();
		}
		finally {
			engine.stop();
		}
	}

	@Test
	void schedulesFireWhileALongPruneGoesOn() {
		// Seconds of deletes even on a quick machine, twice that with the rests.
		int expired = 400_000;
		endedTasks("SUCCESS", expired, LONG_AGO, TTL);
		// What each run of a schedule that fires every second finds left of the expired tasks.
		List<Long> leftAtFires = new CopyOnWriteArrayList<>();
		TaskRegistry registry = new TaskRegistry();
		registry.register(TaskDefinition.of("tick", (args) -> {
			leftAtFires.add(reportsLeft());
			return null;
		}), new TaskSchedule("tick", Every.of(Duration.ofSeconds(1)), true, Misfire.RUN_ONCE, "every 1s"));
		EngineSettings settings = EngineSettings.builder()
			.schema(postgres.schema())
			// The first prune an interval after the start, the schedule firing meanwhile.
			.cleanInterval(Duration.ofSeconds(5))
			.historyPerTask(0)
			.build();
		Engine engine = Engine.builder(postgres.dataSource(), registry).settings(settings).build();
		engine.start();
		try {
			await().atMost(Duration.ofSeconds(60)).until(() -> reportsLeft() == 0);
		}
		finally {
			engine.stop();
		}

		// A prune that held the thread the schedules fire on would let one fire at most (the one
		// just before it) be run while it went on.
		assertThat(leftAtFires).filteredOn((left) -> left > 0 && left < expired)
			.as("runs of the schedule while the prune went on, of %s", leftAtFires)
			.hasSizeGreaterThanOrEqualTo(2);
	}

	private static long reportsLeft() {
		return postgres.jdbc()
			.sql("SELECT count(*) FROM %s.autotask_task WHERE name = 'report'".formatted(postgres.schema()))
			.query(Long.class)
			.single();
	}

	/**
	 * Insert {@code count} tasks that ended {@code ago} with the given status and TTL, in one
	 * statement.
	 */
	private void endedTasks(String status, int count, Duration ago, Duration ttl) {
		int inserted = postgres.jdbc()
			.sql("""
					INSERT INTO %s.autotask_task
						(name, owner, status, max_attempts, ttl, attempt, started_at, finished_at, expires_at)
					SELECT 'report', 'test', :status, 1, :ttl * interval '1 ms', 1,
						now() - :ago * interval '1 ms', now() - :ago * interval '1 ms',
						now() - :ago * interval '1 ms' + :ttl * interval '1 ms'
					FROM generate_series(1, :count)""".formatted(postgres.schema()))
			.param("status", status)
			.param("ttl", ttl.toMillis())
			.param("ago", ago.toMillis())
			.param("count", count)
			.update();
		assertThat(inserted).isEqualTo(count);
	}

	/**
	 * A task running for a day with a TTL of one millisecond: only its missing
	 * {@code expires_at} keeps it from the pruner.
	 */
	private long aRunningTask(String name, String node) {
		return postgres.jdbc()
			.sql("""
					INSERT INTO %s.autotask_task (name, owner, status, max_attempts, ttl, attempt, started_at, node_id)
					VALUES (:name, 'test', 'RUNNING', 1, interval '1 ms', 1, now() - interval '1 day', :node)
					RETURNING id""".formatted(postgres.schema()))
			.param("name", name)
			.param("node", node)
			.query(Long.class)
			.single();
	}

}
