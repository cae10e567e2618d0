package dev.autotask.internal.supervisor;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

import dev.autotask.Autotask;
import dev.autotask.FireInfo;
import dev.autotask.ScheduleEntry;
import dev.autotask.ScheduleSpec;
import dev.autotask.Schedules;
import dev.autotask.engine.Engine;
import dev.autotask.engine.EngineSettings;
import dev.autotask.internal.jdbc.FireTable;
import dev.autotask.internal.jdbc.RuntimeScheduleTable;
import dev.autotask.internal.jdbc.TableNames;
import dev.autotask.schedule.Every;
import dev.autotask.schedule.Misfire;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
import dev.autotask.task.TaskRegistry;
import dev.autotask.task.TaskSchedule;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Schedules created at run time, driven by {@code runOnce(now)}: they fire their task with their
 * arguments as their owner, once per fire time however many nodes fire, pick up changes and
 * deletes from the next tick, pause like declared ones, stay within their owner, and refuse bad
 * input before anything is stored.
 */
class RuntimeSchedulesIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final Instant T0 = Instant.parse("2026-11-23T10:02:00Z");

	private final TaskRegistry registry = new TaskRegistry();

	// What the leader knows, without the declared schedule, whose fires would only add to the counts.
	private final TaskRegistry leaderRegistry = new TaskRegistry();

	private Schedules schedules;

	private FireTable fires;

	private RuntimeScheduleTable table;

	private JdbcClient jdbc;

	@BeforeEach
	void setUp() {
		this.jdbc = postgres.jdbc();
		this.jdbc.sql("TRUNCATE autotask_schedule").update();
		this.registry.register(TaskDefinition.of("digest", (args) -> null), new TaskSchedule("digest",
				Every.of(Duration.ofSeconds(10)), false, Misfire.RUN_ONCE, "every 10s"));
		this.registry.register(TaskDefinition.of("report", (args) -> null, new TaskParameter("customer", long.class),
				new TaskParameter("format", String.class)));
		this.registry.register(TaskDefinition.of("ping", (args) -> null));
		this.registry.definitions()
			.stream()
			.filter((task) -> !task.name().equals("digest"))
			.forEach(this.leaderRegistry::register);
		Autotask autotask = Engine.builder(postgres.dataSource(), this.registry)
			.settings(EngineSettings.builder().schema(postgres.schema()).build())
			.buildClient();
		this.schedules = autotask.runtimeSchedules();
		TableNames names = new TableNames(postgres.schema());
		this.fires = new FireTable(postgres.dataSource(), names);
		this.table = new RuntimeScheduleTable(postgres.dataSource(), names);
	}

	@Test
	void createdScheduleFiresItsTaskWithItsArgumentsAsItsOwner() {
		ScheduleEntry created = this.schedules.create("nightly",
				ScheduleSpec.every("report", Duration.ofSeconds(10)).args(42L, "pdf"), "tenant-a");
		assertThat(created.declared()).isFalse();
		assertThat(created.args()).isEqualTo("[42, \"pdf\"]");
		ScheduleFirer firer = firer();

		assertThat(firer.runOnce(T0)).as("first sight marks the start").isZero();
		assertThat(firer.runOnce(T0.plusSeconds(10))).isEqualTo(1);

		assertThat(tasks("report")).containsExactly("tenant-a " + T0.plusSeconds(10) + " [42, \"pdf\"]");
		assertThat(this.schedules.find("nightly", "tenant-a").orElseThrow().lastFire()).isEqualTo(T0.plusSeconds(10));
	}

	@Test
	void cronScheduleFiresAtItsTimesInItsZone() {
		this.schedules.create("morning", ScheduleSpec.cron("ping", "0 7 * * *").zone("Europe/Stockholm"), "tenant-a");
		ScheduleFirer firer = firer();
		firer.runOnce(T0);

		assertThat(firer.runOnce(Instant.parse("2026-11-24T05:59:59Z"))).isZero();
		assertThat(firer.runOnce(Instant.parse("2026-11-24T06:00:00.200Z"))).as("07:00 in Stockholm").isEqualTo(1);

		assertThat(tasks("ping")).containsExactly("tenant-a 2026-11-24T06:00:00Z []");
		assertThat(this.schedules.find("morning", "tenant-a").orElseThrow().schedule())
			.isEqualTo("0 7 * * * Europe/Stockholm");
	}

	@Test
	void twoNodesFiringTheSameTimeEnqueueOnceAndSchedulesOfOneTaskDoNotBlockEachOther() {
		this.schedules.create("a", ScheduleSpec.every("ping", Duration.ofSeconds(10)), "tenant-a");
		this.schedules.create("a", ScheduleSpec.every("ping", Duration.ofSeconds(10)), "tenant-b");
		ScheduleFirer first = firer();
		ScheduleFirer second = firer();
		first.runOnce(T0);

		int fired = first.runOnce(T0.plusSeconds(10)) + second.runOnce(T0.plusSeconds(10));

		assertThat(fired).as("one task per schedule, though the other's is still pending").isEqualTo(2);
		assertThat(tasks("ping")).containsExactlyInAnyOrder("tenant-a " + T0.plusSeconds(10) + " []",
				"tenant-b " + T0.plusSeconds(10) + " []");
		assertThat(first.runOnce(T0.plusSeconds(20))).as("each one's previous run is still pending").isZero();
	}

	@Test
	void updateTakesEffectAtTheNextTickFromTheLastFire() {
		this.schedules.create("nightly", ScheduleSpec.every("report", Duration.ofSeconds(10)).args(1L, "csv"),
				"tenant-a");
		ScheduleFirer firer = firer();
		firer.runOnce(T0);
		firer.runOnce(T0.plusSeconds(10));
		this.jdbc.sql("UPDATE autotask_task SET status = 'SUCCESS'").update();

		assertThat(this.schedules.update("nightly",
				ScheduleSpec.every("report", Duration.ofMinutes(1)).argsJson("{\"customer\": 2, \"format\": \"pdf\"}"),
				"tenant-a"))
			.hasValueSatisfying((entry) -> assertThat(entry.nextFire()).isEqualTo(T0.plusSeconds(70)));

		assertThat(firer.runOnce(T0.plusSeconds(20))).isZero();
		assertThat(firer.runOnce(T0.plusSeconds(70))).isEqualTo(1);
		assertThat(tasks("report")).containsExactly("tenant-a " + T0.plusSeconds(10) + " [1, \"csv\"]",
				"tenant-a " + T0.plusSeconds(70) + " [2, \"pdf\"]");
	}

	@Test
	void deletedScheduleFiresNoMoreEvenForALeaderThatReadItBefore() {
		this.schedules.create("nightly", ScheduleSpec.every("ping", Duration.ofSeconds(10)), "tenant-a");
		ScheduleFirer firer = firer();
		firer.runOnce(T0);
		List<RuntimeScheduleTable.Row> readBefore = this.table.findAll();
		ScheduleFirer stale = new ScheduleFirer(this.fires, this.leaderRegistry, () -> readBefore, "app",
				Duration.ofDays(1));

		assertThat(this.schedules.delete("nightly", "tenant-a")).isTrue();

		assertThat(stale.runOnce(T0.plusSeconds(10))).isZero();
		assertThat(firer.runOnce(T0.plusSeconds(20))).isZero();
		assertThat(tasks("ping")).isEmpty();
		assertThat(this.schedules.find("nightly", "tenant-a")).isEmpty();
		assertThat(this.schedules.delete("nightly", "tenant-a")).isFalse();
	}

	@Test
	void pausedScheduleSkipsItsFiresAndResumesWithoutCatchingUp() {
		this.schedules.create("nightly", ScheduleSpec.every("ping", Duration.ofSeconds(10)), "tenant-a");
		ScheduleFirer firer = firer();
		firer.runOnce(T0);

		assertThat(this.schedules.pause("nightly", "tenant-a")).isTrue();
		assertThat(this.schedules.find("nightly", "tenant-a").orElseThrow().paused()).isTrue();
		assertThat(firer.runOnce(T0.plusSeconds(10))).isZero();
		assertThat(firer.runOnce(T0.plusSeconds(95))).isZero();
		assertThat(this.schedules.resume("nightly", "tenant-a")).isTrue();
		assertThat(firer.runOnce(T0.plusSeconds(100))).isEqualTo(1);

		assertThat(tasks("ping")).containsExactly("tenant-a " + T0.plusSeconds(100) + " []");
		List<FireInfo> fires = this.schedules.fires("nightly", "tenant-a", 10);
		assertThat(fires).extracting(FireInfo::fireAt)
			.containsExactly(T0.plusSeconds(100), T0.plusSeconds(90), T0.plusSeconds(10), T0);
	}

	@Test
	void listShowsTheDeclaredSchedulesAndTheOwnersOwnOnly() {
		this.schedules.create("nightly", ScheduleSpec.every("ping", Duration.ofSeconds(10)), "tenant-a");
		this.schedules.create("hourly", ScheduleSpec.cron("ping", "@hourly").misfire(Misfire.SKIP), "tenant-b");

		assertThat(this.schedules.list("tenant-a")).extracting(ScheduleEntry::name, ScheduleEntry::declared)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("digest", true),
					org.assertj.core.groups.Tuple.tuple("nightly", false));
		assertThat(this.schedules.list("tenant-b")).extracting(ScheduleEntry::name, ScheduleEntry::misfire)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("digest", Misfire.RUN_ONCE),
					org.assertj.core.groups.Tuple.tuple("hourly", Misfire.SKIP));
	}

	@Test
	void anotherOwnersScheduleIsNotFound() {
		this.schedules.create("nightly", ScheduleSpec.every("ping", Duration.ofSeconds(10)), "tenant-a");
		ScheduleSpec spec = ScheduleSpec.every("ping", Duration.ofMinutes(1));

		assertThat(this.schedules.find("nightly", "tenant-b")).isEmpty();
		assertThat(this.schedules.update("nightly", spec, "tenant-b")).isEmpty();
		assertThat(this.schedules.pause("nightly", "tenant-b")).isFalse();
		assertThat(this.schedules.delete("nightly", "tenant-b")).isFalse();
		assertThat(this.schedules.fires("nightly", "tenant-b", 10)).isEmpty();

		ScheduleEntry mine = this.schedules.find("nightly", "tenant-a").orElseThrow();
		assertThat(mine.schedule()).isEqualTo("every PT10S");
		assertThat(mine.paused()).isFalse();
	}

	@Test
	void declaredScheduleIsPausedButNeitherChangedNorDeleted() {
		assertThat(this.schedules.pause("digest", "tenant-a")).isTrue();
		assertThat(this.schedules.find("digest", "tenant-b").orElseThrow().paused()).isTrue();
		assertThat(this.schedules.resume("digest", "tenant-a")).isTrue();

		assertThatIllegalArgumentException().isThrownBy(() -> this.schedules.delete("digest", "tenant-a"))
			.withMessageContaining("declared");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.schedules.update("digest", ScheduleSpec.every("ping", Duration.ofMinutes(1)),
					"tenant-a"))
			.withMessageContaining("declared");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.schedules.create("digest", ScheduleSpec.every("ping", Duration.ofMinutes(1)),
					"tenant-a"))
			.withMessageContaining("declared");
	}

	@Test
	void badInputIsRefusedNamingTheProblemAndNothingIsStored() {
		this.schedules.create("taken", ScheduleSpec.every("ping", Duration.ofSeconds(10)), "tenant-a");
		refused(ScheduleSpec.every("nope", Duration.ofSeconds(10)), "No task is named 'nope'");
		refused(ScheduleSpec.cron("ping", "0 25 * * *"), "hour");
		refused(ScheduleSpec.cron("ping", "0 7 * * *").zone("Mars/Olympus"), "Zone 'Mars/Olympus'");
		refused(ScheduleSpec.every("ping", Duration.ofMillis(500)), "at least 1 second");
		refused(ScheduleSpec.every("report", Duration.ofMinutes(1)).args(42L), "takes 2 argument(s)");
		refused(ScheduleSpec.every("report", Duration.ofMinutes(1)).argsJson("[\"x\", \"pdf\"]"), "customer");
		refused(ScheduleSpec.every("report", Duration.ofMinutes(1)).argsJson("[1,"), "not valid JSON");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.schedules.create("taken", ScheduleSpec.every("ping", Duration.ofMinutes(1)),
					"tenant-a"))
			.withMessageContaining("exists already");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.schedules.create(" ", ScheduleSpec.every("ping", Duration.ofMinutes(1)), "tenant-a"))
			.withMessageContaining("name");
		assertThat(this.jdbc.sql("SELECT count(*) FROM autotask_runtime_schedule").query(Long.class).single())
			.isEqualTo(1);
		assertThat(this.schedules.find("taken", "tenant-a").orElseThrow().schedule()).isEqualTo("every PT10S");
	}

	private void refused(ScheduleSpec spec, String message) {
		assertThatIllegalArgumentException().isThrownBy(() -> this.schedules.create("new", spec, "tenant-a"))
			.withMessageContaining(message);
		assertThatIllegalArgumentException().isThrownBy(() -> this.schedules.update("taken", spec, "tenant-a"))
			.withMessageContaining(message);
	}

	private ScheduleFirer firer() {
		return new ScheduleFirer(this.fires, this.leaderRegistry, this.table::findAll, "app", Duration.ofDays(1));
	}

	private List<String> tasks(String name) {
		return this.jdbc
			.sql("SELECT owner, run_at, args::text FROM autotask_task WHERE name = :name ORDER BY run_at, owner")
			.param("name", name)
			.query((rs, row) -> rs.getString(1) + " " + rs.getObject(2, OffsetDateTime.class).toInstant() + " "
					+ rs.getString(3))
			.list();
	}

}
