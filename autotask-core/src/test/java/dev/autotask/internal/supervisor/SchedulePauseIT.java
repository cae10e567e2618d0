package dev.autotask.internal.supervisor;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

import dev.autotask.Autotask;
import dev.autotask.FireInfo;
import dev.autotask.ScheduleInfo;
import dev.autotask.TaskStatus;
import dev.autotask.engine.Engine;
import dev.autotask.engine.EngineSettings;
import dev.autotask.internal.jdbc.FireTable;
import dev.autotask.internal.jdbc.TableNames;
import dev.autotask.schedule.Every;
import dev.autotask.schedule.Misfire;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import dev.autotask.task.TaskSchedule;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Pausing a schedule from the console, driven by {@code runOnce(now)}: a paused schedule's fires
 * are recorded as skipped and enqueue nothing, on every node (the pause is in the database), and
 * once resumed it goes on from its next fire without catching up; its last fires show with their
 * tasks.
 */
class SchedulePauseIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final Instant T0 = Instant.parse("2026-11-23T10:02:00Z");

	private final TaskRegistry registry = new TaskRegistry();

	private Autotask autotask;

	private FireTable fires;

	@BeforeEach
	void setUp() {
		// One schema for the class: each test starts from empty tables.
		postgres.jdbc().sql("TRUNCATE autotask_task, autotask_fire, autotask_schedule").update();
		this.registry.register(TaskDefinition.of("digest", (args) -> null), new TaskSchedule("digest",
				Every.of(Duration.ofSeconds(10)), false, Misfire.RUN_ONCE, "every 10s"));
		this.registry.register(TaskDefinition.of("mail", (args) -> null));
		this.autotask = Engine.builder(postgres.dataSource(), this.registry)
			.settings(EngineSettings.builder().schema(postgres.schema()).build())
			.buildClient();
		this.fires = new FireTable(postgres.dataSource(), new TableNames(postgres.schema()));
	}

	@Test
	void pausedScheduleSkipsItsFiresOnEveryNodeAndResumesWithoutCatchingUp() {
		// Two nodes' firers, as after a change of leader: the pause is read from the database.
		ScheduleFirer first = firer();
		ScheduleFirer second = firer();
		first.runOnce(T0);
		assertThat(first.runOnce(T0.plusSeconds(10))).isEqualTo(1);
		postgres.jdbc().sql("UPDATE autotask_task SET status = 'SUCCESS'").update();

		assertThat(this.autotask.pauseSchedule("digest")).isTrue();
		assertThat(this.autotask.schedules()).singleElement().extracting(ScheduleInfo::paused).isEqualTo(true);
		assertThat(first.runOnce(T0.plusSeconds(20))).isZero();
		assertThat(second.runOnce(T0.plusSeconds(30))).isZero();
		assertThat(second.runOnce(T0.plusSeconds(95))).as("fires missed while paused are not run").isZero();

		assertThat(this.autotask.resumeSchedule("digest")).isTrue();
		assertThat(this.autotask.schedules()).singleElement().extracting(ScheduleInfo::paused).isEqualTo(false);
		assertThat(second.runOnce(T0.plusSeconds(100))).isEqualTo(1);
		assertThat(runAts()).containsExactly(T0.plusSeconds(10), T0.plusSeconds(100));
	}

	@Test
	void lastFiresShowNewestFirstWithTheirTasksAndTheSkippedOnes() {
		ScheduleFirer firer = firer();
		firer.runOnce(T0);
		firer.runOnce(T0.plusSeconds(10));
		long first = postgres.jdbc().sql("SELECT id FROM autotask_task").query(Long.class).single();
		postgres.jdbc().sql("UPDATE autotask_task SET status = 'FAILURE'").update();
		this.autotask.pauseSchedule("digest");
		firer.runOnce(T0.plusSeconds(20));

		List<FireInfo> fires = this.autotask.fires("digest", 10);

		assertThat(fires).containsExactly(new FireInfo(T0.plusSeconds(20), null, null),
				new FireInfo(T0.plusSeconds(10), first, TaskStatus.FAILURE), new FireInfo(T0, null, null));
		assertThat(this.autotask.fires("digest", 1)).hasSize(1);
		assertThat(this.autotask.fires("mail", 10)).as("not a schedule").isEmpty();
		assertThatIllegalArgumentException().isThrownBy(() -> this.autotask.fires("digest", 0))
			.withMessageContaining("limit");
	}

	@Test
	void onlyAScheduleOfThisApplicationIsPausedAndNothingIsStoredOtherwise() {
		assertThat(this.autotask.pauseSchedule("mail")).isFalse();
		assertThat(this.autotask.pauseSchedule("nightly-typo")).isFalse();
		assertThat(this.autotask.resumeSchedule("nightly-typo")).isFalse();
		assertThat(postgres.jdbc().sql("SELECT count(*) FROM autotask_schedule").query(Long.class).single())
			.isZero();
	}

	private ScheduleFirer firer() {
		return new ScheduleFirer(this.fires, this.registry, "test", Duration.ofDays(1));
	}

	private List<Instant> runAts() {
		return postgres.jdbc()
			.sql("SELECT run_at FROM autotask_task WHERE name = 'digest' ORDER BY run_at")
			.query((rs, row) -> rs.getObject(1, OffsetDateTime.class).toInstant())
			.list();
	}

}
