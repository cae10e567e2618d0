package dev.autotask.internal.supervisor;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.autotask.ScheduleSpec;
import dev.autotask.internal.engine.TaskClient;
import dev.autotask.internal.supervisor.ProcessRecords.Lease;
import dev.autotask.testsupport.EngineProcess;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A schedule created at run time, on a node that runs no engine, while two engines in JVMs of
 * their own share the database: the leader picks it up without a restart, and when the leader
 * is killed with SIGKILL the survivor goes on firing it from where the dead one stopped, once
 * per fire time, with the schedule's arguments and owner.
 *
 * <p>
 * Once with a period of a second, firing many times around the kill, and once with a cron
 * expression of every minute, whose first fire is the leader's and the next its survivor's (a
 * minute or two).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RuntimeScheduleFailoverIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

	private static final String OWNER = "tenant-7";

	private final List<EngineProcess> processes = new ArrayList<>();

	private JdbcClient jdbc;

	private ProcessRecords records;

	private TaskClient client;

	private Path logs;

	@BeforeEach
	void setUp(TestInfo test) {
		this.jdbc = postgres.jdbc();
		this.records = new ProcessRecords(this.jdbc);
		EngineProcess.createWorkLog(this.jdbc);
		this.client = EngineProcess.client(postgres);
		this.logs = Path.of("target", "runtime-schedule-failover", test.getTestMethod().orElseThrow().getName());
	}

	@AfterEach
	void killProcesses() {
		this.processes.forEach(EngineProcess::close);
	}

	@Test
	void runtimeScheduleFiresOncePerFireTimeWhileTheLeaderIsKilled() throws Exception {
		EngineProcess a = start("node-a");
		await("a leader").atMost(START_TIMEOUT).until(() -> this.records.lease().isPresent());
		EngineProcess b = start("node-b");

		this.client.runtimeSchedules()
			.create("heartbeat", ScheduleSpec.every(EngineProcess.WORK, Duration.ofSeconds(1)).args(7), OWNER);
		await("fires before the kill").atMost(START_TIMEOUT).until(() -> ranAfter(Instant.MIN) >= 3);

		killTheLeaderAndCheckItsSurvivorFiresOncePerFireTime(a, b, 3, Duration.ofSeconds(1), false);
	}

	@Test
	void runtimeCronFiresOncePerMinuteWhileTheLeaderIsKilled() throws Exception {
		EngineProcess a = start("node-a");
		await("a leader").atMost(START_TIMEOUT).until(() -> this.records.lease().isPresent());
		EngineProcess b = start("node-b");

		this.client.runtimeSchedules().create("minutely", ScheduleSpec.cron(EngineProcess.WORK, "* * * * *").args(7), OWNER);
		// The first fire, at the next whole minute, by the leader; then the leader dies, and the
		// next minute's is its survivor's.
		await("the first fire").atMost(Duration.ofSeconds(75)).until(() -> ranAfter(Instant.MIN) >= 1);
		killTheLeaderAndCheckItsSurvivorFiresOncePerFireTime(a, b, 1, Duration.ofMinutes(1), true);
	}

	// Kill the leader, wait for the survivor to lead and fire `after` times more, then check every
	// fire time was fired once, on whole periods from the epoch (cron) or from the first fire.
	private void killTheLeaderAndCheckItsSurvivorFiresOncePerFireTime(EngineProcess a, EngineProcess b, int after,
			Duration period, boolean fromEpoch) throws Exception {
		Lease lease = this.records.lease().orElseThrow();
		EngineProcess leader = lease.leaderId().equals(a.nodeId()) ? a : b;
		EngineProcess survivor = (leader == a) ? b : a;
		assertThat(leader.kill()).as("exit status of " + leader.nodeId()).isEqualTo(EngineProcess.KILLED);
		Instant killed = this.records.now();

		await(survivor.nodeId() + " leads").atMost(EngineProcess.LEASE.plusSeconds(10))
			.until(() -> this.records.lease().map(Lease::leaderId).filter(survivor.nodeId()::equals).isPresent());
		await("fires after the kill").atMost(period.multipliedBy(after).plus(START_TIMEOUT))
			.until(() -> ranAfter(killed) >= after);

		List<Instant> fireTimes = this.jdbc
			.sql("SELECT fire_at FROM autotask_fire WHERE schedule LIKE 'runtime:%' AND task_id IS NOT NULL ORDER BY fire_at")
			.query((rs, row) -> rs.getObject(1, OffsetDateTime.class).toInstant())
			.list();
		Instant anchor = fromEpoch ? Instant.EPOCH : fireTimes.get(0);
		assertThat(fireTimes).as("whole periods across the change of leader")
			.allSatisfy((at) -> assertThat(Duration.between(anchor, at).toNanos() % period.toNanos()).isZero());
		assertThat(this.jdbc.sql("SELECT run_at FROM autotask_task GROUP BY run_at HAVING count(*) > 1")
			.query(OffsetDateTime.class)
			.list()).as("fire times enqueued more than once").isEmpty();
		long fired = this.jdbc.sql("SELECT count(*) FROM autotask_fire WHERE task_id IS NOT NULL")
			.query(Long.class)
			.single();
		assertThat(this.jdbc.sql("SELECT count(*) FROM autotask_task").query(Long.class).single()).isEqualTo(fired);
		assertThat(this.jdbc.sql("SELECT DISTINCT owner || ' ' || args::text FROM autotask_task")
			.query(String.class)
			.list()).containsExactly(OWNER + " [7]");
		assertThat(this.jdbc.sql("SELECT DISTINCT n FROM work_log").query(Integer.class).list()).containsExactly(7);
		assertThat(this.jdbc.sql("SELECT DISTINCT node FROM work_log WHERE started_at > ?")
			.param(OffsetDateTime.ofInstant(killed, java.time.ZoneOffset.UTC))
			.query(String.class)
			.list()).containsExactly(survivor.nodeId());
	}

	// Tasks fired for times after the given one that have run to the end.
	private long ranAfter(Instant after) {
		return this.jdbc
			.sql("SELECT count(*) FROM autotask_task WHERE status = 'SUCCESS' AND run_at > ?")
			.param(OffsetDateTime.ofInstant(after.equals(Instant.MIN) ? Instant.EPOCH : after,
					java.time.ZoneOffset.UTC))
			.query(Long.class)
			.single();
	}

	private EngineProcess start(String nodeId) throws IOException {
		EngineProcess process = EngineProcess.start(postgres, nodeId, this.logs,
				List.of(EngineProcess.workTime(Duration.ofMillis(50))));
		this.processes.add(process);
		process.awaitReady(START_TIMEOUT);
		return process;
	}

}
