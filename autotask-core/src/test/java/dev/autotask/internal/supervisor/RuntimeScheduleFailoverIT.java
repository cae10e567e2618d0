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
 * A period of a second rather than a cron expression, whose minutes would make the test
 * minutes long: both go through the same firer and fire statement, and cron times are covered
 * step by step in {@link RuntimeSchedulesIT}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
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

		Lease lease = this.records.lease().orElseThrow();
		EngineProcess leader = lease.leaderId().equals(a.nodeId()) ? a : b;
		EngineProcess survivor = (leader == a) ? b : a;
		assertThat(leader.kill()).as("exit status of " + leader.nodeId()).isEqualTo(EngineProcess.KILLED);
		Instant killed = this.records.now();

		await(survivor.nodeId() + " leads").atMost(EngineProcess.LEASE.plusSeconds(10))
			.until(() -> this.records.lease().map(Lease::leaderId).filter(survivor.nodeId()::equals).isPresent());
		await("fires after the kill").atMost(START_TIMEOUT).until(() -> ranAfter(killed) >= 3);

		List<Instant> fireTimes = this.jdbc
			.sql("SELECT fire_at FROM autotask_fire WHERE schedule LIKE 'runtime:%' ORDER BY fire_at")
			.query((rs, row) -> rs.getObject(1, OffsetDateTime.class).toInstant())
			.list();
		Instant anchor = fireTimes.get(0);
		assertThat(fireTimes).as("whole periods from where the schedule started, across the change of leader")
			.allSatisfy((at) -> assertThat(Duration.between(anchor, at).toNanos() % 1_000_000_000L).isZero());
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
