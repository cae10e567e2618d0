package dev.autotask.internal.supervisor;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import dev.autotask.internal.jdbc.FireTable;
import dev.autotask.internal.jdbc.TableNames;
import dev.autotask.schedule.Cron;
import dev.autotask.schedule.Every;
import dev.autotask.schedule.Misfire;
import dev.autotask.schedule.Schedule;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import dev.autotask.task.TaskSchedule;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Periodic and cron fires, driven by {@code runOnce(now)} with times given by the test: never
 * before due, once per fire however many nodes fire, no pile-up, and missed fires run once or
 * skipped.
 */
class ScheduleFirerIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final Instant T0 = Instant.parse("2026-11-23T10:02:00Z");

	private FireTable fires;

	private JdbcClient jdbc;

	@BeforeEach
	void setUp() {
		this.fires = new FireTable(postgres.dataSource(), new TableNames(postgres.schema()));
		this.jdbc = postgres.jdbc();
	}

	@Test
	void periodicTaskCountsFromFirstSightAndFiresEachPeriod() {
		ScheduleFirer firer = firer(registry(Every.of(Duration.ofSeconds(10)), false, Misfire.RUN_ONCE));

		assertThat(firer.runOnce(T0)).as("first sight marks the start").isZero();
		assertThat(firer.runOnce(T0.plusSeconds(9))).isZero();
		assertThat(firer.runOnce(T0.plusSeconds(10))).isEqualTo(1);
		assertThat(firer.runOnce(T0.plusSeconds(15))).isZero();
		assertThat(runAts()).containsExactly(T0.plusSeconds(10));
	}

	@Test
	void markAtFirstSightIsNotShownAsAFire() {
		ScheduleFirer firer = firer(registry(Every.of(Duration.ofSeconds(10)), false, Misfire.RUN_ONCE));

		firer.runOnce(T0);
		assertThat(this.fires.lastFire("digest")).as("where the schedule counts from").contains(T0);
		assertThat(this.fires.lastFired("digest")).as("never fired").isEmpty();

		firer.runOnce(T0.plusSeconds(10));
		assertThat(this.fires.lastFired("digest")).contains(T0.plusSeconds(10));
	}

	@Test
	void startNowFiresAtFirstSight() {
		ScheduleFirer firer = firer(registry(Every.of(Duration.ofMinutes(10)), true, Misfire.RUN_ONCE));

		assertThat(firer.runOnce(T0)).isEqualTo(1);
		assertThat(runAts()).containsExactly(T0);
		assertThat(this.fires.lastFired("digest")).contains(T0);
	}

	@Test
	void fireWhosePreviousRunIsStillBusyIsSkippedNotPiledUp() {
		ScheduleFirer firer = firer(registry(Every.of(Duration.ofSeconds(10)), true, Misfire.RUN_ONCE));
		assertThat(firer.runOnce(T0)).isEqualTo(1);

		assertThat(firer.runOnce(T0.plusSeconds(10))).as("previous still pending").isZero();
		this.jdbc.sql("UPDATE autotask_task SET status = 'SUCCESS'").update();
		assertThat(firer.runOnce(T0.plusSeconds(20))).isEqualTo(1);

		assertThat(runAts()).containsExactly(T0, T0.plusSeconds(20));
		assertThat(this.jdbc.sql("SELECT count(*) FROM autotask_fire WHERE skipped").query(Long.class).single())
			.isEqualTo(1);
	}

	@Test
	void twoNodesFiringTheSameTimeEnqueueOnce() {
		TaskRegistry registry = registry(Every.of(Duration.ofSeconds(10)), false, Misfire.RUN_ONCE);
		ScheduleFirer first = firer(registry);
		ScheduleFirer second = firer(registry);
		first.runOnce(T0);

		int fired = first.runOnce(T0.plusSeconds(10)) + second.runOnce(T0.plusSeconds(10));

		assertThat(fired).isEqualTo(1);
		assertThat(runAts()).containsExactly(T0.plusSeconds(10));
	}

	@Test
	void missedFiresRunOnceTheLatest() {
		ScheduleFirer firer = firer(registry(Every.of(Duration.ofSeconds(10)), false, Misfire.RUN_ONCE));
		firer.runOnce(T0);

		// Nobody was up for 95 seconds: nine fires were missed.
		assertThat(firer.runOnce(T0.plusSeconds(95))).isEqualTo(1);

		assertThat(runAts()).containsExactly(T0.plusSeconds(90));
		assertThat(firer.runOnce(T0.plusSeconds(99))).isZero();
		this.jdbc.sql("UPDATE autotask_task SET status = 'SUCCESS'").update();
		assertThat(firer.runOnce(T0.plusSeconds(100))).isEqualTo(1);
	}

	@Test
	void missedFiresAreSkippedWhenTheTaskSaysSo() {
		ScheduleFirer firer = firer(registry(Every.of(Duration.ofSeconds(10)), false, Misfire.SKIP));
		firer.runOnce(T0);

		assertThat(firer.runOnce(T0.plusSeconds(95))).isZero();
		assertThat(runAts()).isEmpty();
		assertThat(this.fires.lastFire("digest")).contains(T0.plusSeconds(90));
		assertThat(firer.runOnce(T0.plusSeconds(100))).isEqualTo(1);
	}

	@Test
	void cronTaskFiresAtItsTimes() {
		ScheduleFirer firer = firer(registry(Cron.parse("*/5 * * * *", ZoneOffset.UTC), false, Misfire.RUN_ONCE));
		firer.runOnce(T0);

		assertThat(firer.runOnce(Instant.parse("2026-11-23T10:04:59Z"))).isZero();
		assertThat(firer.runOnce(Instant.parse("2026-11-23T10:05:00.300Z"))).isEqualTo(1);
		this.jdbc.sql("UPDATE autotask_task SET status = 'SUCCESS'").update();
		assertThat(firer.runOnce(Instant.parse("2026-11-23T10:10:00.100Z"))).isEqualTo(1);

		assertThat(runAts()).containsExactly(Instant.parse("2026-11-23T10:05:00Z"),
				Instant.parse("2026-11-23T10:10:00Z"));
	}

	private TaskRegistry registry(Schedule schedule, boolean startNow, Misfire misfire) {
		TaskRegistry registry = new TaskRegistry();
		registry.register(TaskDefinition.of("digest", (args) -> null),
				new TaskSchedule("digest", schedule, startNow, misfire, schedule.toString()));
		return registry;
	}

	private ScheduleFirer firer(TaskRegistry registry) {
		return new ScheduleFirer(this.fires, registry, "test", Duration.ofDays(1));
	}

	private List<Instant> runAts() {
		return this.jdbc.sql("SELECT run_at FROM autotask_task WHERE name = 'digest' ORDER BY run_at")
			.query((rs, row) -> rs.getObject(1, java.time.OffsetDateTime.class).toInstant())
			.list();
	}

}
