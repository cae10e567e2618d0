package dev.autotask.internal.supervisor;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import dev.autotask.SendOptions;
import dev.autotask.internal.engine.TaskClient;
import dev.autotask.internal.supervisor.ProcessRecords.Lease;
import dev.autotask.internal.supervisor.ProcessRecords.Run;
import dev.autotask.testsupport.EngineProcess;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskCounts;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;

import static dev.autotask.internal.supervisor.ProcessRecords.instant;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Engines in separate JVMs sharing one database, one of them killed with SIGKILL in the
 * middle of its tasks: no shutdown hook, no hand-back, no resignation. What it held is
 * recovered from the database alone: its lead lapses on the database clock, and the survivor
 * hands its RUNNING tasks back to run again as soon as its node expires.
 *
 * <p>
 * Every timestamp compared here is read from the database clock, as the engines' own are.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ProcessCrashIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	// CI's size; -Dautotask.crash.tasks=10000 -Dautotask.crash.work-time=PT0.01S is the full one.
	private static final int TASKS = Integer.getInteger("autotask.crash.tasks", 200);

	private static final Duration WORK_TIME = Duration
		.parse(System.getProperty("autotask.crash.work-time", EngineProcess.WORK_TIME.toString()));

	private static final String OWNER = "crash-test";

	private static final String NODE_LOST = "dev.autotask.NodeLost";

	private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

	private final List<EngineProcess> processes = new ArrayList<>();

	private JdbcClient jdbc;

	private ProcessRecords records;

	private TaskCounts counts;

	private TaskClient client;

	private Path logs;

	@BeforeEach
	void setUp(TestInfo test) {
		this.jdbc = postgres.jdbc();
		this.records = new ProcessRecords(this.jdbc);
		this.counts = new TaskCounts(postgres);
		EngineProcess.createWorkLog(this.jdbc);
		this.client = EngineProcess.client(postgres);
		this.logs = Path.of("target", "process-crash", test.getTestMethod().orElseThrow().getName());
	}

	@AfterEach
	void killProcesses() {
		this.processes.forEach(EngineProcess::close);
	}

	@Test
	void tasksOfLeaderKilledMidRunRunOnceMoreOnTheSurvivorAndNeverTwiceAtOnce() throws Exception {
		send(TASKS);
		EngineProcess a = start("node-a");
		awaitLeader(a, Instant.MIN, START_TIMEOUT);
		EngineProcess b = start("node-b");
		// Both work: B has claimed tasks, and A is in the middle of some.
		await().atMost(START_TIMEOUT).until(() -> claimedBy(b) > 0 && runningOn(a) >= 2);

		Instant killed = this.records.now();
		assertThat(a.kill()).as("exit status of node-a").isEqualTo(EngineProcess.KILLED);
		Instant dead = this.records.now();
		Lease leaseAtKill = this.records.lease().orElseThrow();
		Instant aExpiry = nodeExpiry(a);
		// What A was running when it died, and anything the rescuer took already.
		Set<Long> orphans = new HashSet<>(this.jdbc
			.sql("SELECT id FROM autotask_task WHERE (status = 'RUNNING' AND node_id = ?) OR rescues > 0")
			.param(a.nodeId())
			.query(Long.class)
			.list());

		// What the survivor's 4 workers take to run everything alone, and a minute besides.
		await().atMost(Duration.ofSeconds(60).plus(WORK_TIME.multipliedBy(TASKS / 4)))
			.pollInterval(Duration.ofMillis(100))
			.untilAsserted(() -> assertThat(this.counts.withStatus("SUCCESS")).isEqualTo(TASKS));

		assertThat(this.counts.byStatus()).containsExactly(Map.entry("SUCCESS", (long) TASKS));
		assertThat(leaseAtKill.leaderId()).isEqualTo(a.nodeId());
		Lease lease = this.records.lease().orElseThrow();
		assertThat(lease.leaderId()).as("leader at the end").isEqualTo(b.nodeId());
		// B took the lead only once A's lease had lapsed, and within two of its tries after.
		assertThat(lease.electedAt()).isAfterOrEqualTo(leaseAtKill.expiresAt())
			.isBefore(leaseAtKill.expiresAt().plus(EngineProcess.LEASE).plusSeconds(1));

		List<Task> tasks = tasks();
		List<Task> rescued = tasks.stream().filter((task) -> task.rescues() > 0).toList();
		assertThat(orphans).as("tasks RUNNING on node-a when it died").isNotEmpty();
		assertThat(rescued).extracting(Task::id).as("tasks rescued").containsExactlyInAnyOrderElementsOf(orphans);
		assertThat(rescued).allSatisfy((task) -> {
			assertThat(task.rescues()).isOne();
			assertThat(task.nodeId()).isEqualTo(b.nodeId());
			assertThat(task.attempt()).isEqualTo(2);
			assertThat(task.maxAttempts()).isEqualTo(5);
			// The rescue's error stays on the record after the run that succeeded.
			assertThat(task.errorType()).isEqualTo(NODE_LOST);
			// Handed back only once A counted as dead, and run again after that. Not by the leader:
			// B rescues as soon as A expires, whether or not it leads yet.
			assertThat(task.rescuedAt()).isAfterOrEqualTo(aExpiry);
			assertThat(task.startedAt()).isAfterOrEqualTo(task.rescuedAt());
		});
		assertThat(tasks).filteredOn((task) -> task.rescues() == 0)
			.allSatisfy((task) -> assertThat(task.attempt()).isOne());

		Map<Integer, List<Run>> runs = this.records.runs();
		assertThat(runs).as("n that ran").hasSize(TASKS);
		for (Task task : tasks) {
			List<Run> runsOfTask = runs.get(task.n());
			assertNeverTwiceAtOnce(runsOfTask, dead);
			// The run whose outcome was recorded, ended, and the only run of n on that node.
			assertThat(runsOfTask).as("runs of n = %d on %s", task.n(), task.nodeId())
				.filteredOn((run) -> run.node().equals(task.nodeId()))
				.singleElement()
				.satisfies((run) -> assertThat(run.endedAt()).isNotNull());
			// Besides it, only A's run of a task rescued from A, which A may even have ended
			// before it died without recording the outcome.
			assertThat(runsOfTask).as("other runs of n = %d", task.n())
				.filteredOn((run) -> !run.node().equals(task.nodeId()))
				.hasSizeLessThanOrEqualTo(orphans.contains(task.id()) ? 1 : 0)
				.allSatisfy((run) -> {
					assertThat(run.node()).isEqualTo(a.nodeId());
					assertThat(run.startedAt()).isBefore(dead);
				});
		}

		Instant firstRescue = rescued.stream().map(Task::rescuedAt).min(Comparator.naturalOrder()).orElseThrow();
		Instant firstRerun = rescued.stream().map(Task::startedAt).min(Comparator.naturalOrder()).orElseThrow();
		report("leader failover after SIGKILL: %d ms (lease %d ms)", millis(killed, lease.electedAt()),
				EngineProcess.LEASE.toMillis());
		report("orphan recovery after SIGKILL: %d task(s) handed back after %d ms (node TTL %d ms),"
				+ " the first running again on %s after %d ms", rescued.size(), millis(killed, firstRescue),
				EngineProcess.WORKER_MONITOR_INTERVAL.multipliedBy(2).toMillis(), b.nodeId(),
				millis(killed, firstRerun));
		long endedUnrecorded = rescued.stream()
			.flatMap((task) -> runs.get(task.n()).stream())
			.filter((run) -> run.node().equals(a.nodeId()) && run.endedAt() != null)
			.count();
		report("node-a had ended %d of the rescued runs before it died, without recording them", endedUnrecorded);
	}

	@Test
	void nodeRestartedUnderNewIdAfterSigkillLeadsOnceTheOldLeaseLapses() throws Exception {
		EngineProcess a = start("node-a");
		awaitLeader(a, Instant.MIN, START_TIMEOUT);

		Instant killed = this.records.now();
		assertThat(a.kill()).as("exit status of node-a").isEqualTo(EngineProcess.KILLED);
		Lease leaseAtKill = this.records.lease().orElseThrow();
		EngineProcess restarted = start("node-a-restarted");
		awaitLeader(restarted, killed, EngineProcess.LEASE.plusSeconds(3));

		Lease lease = this.records.lease().orElseThrow();
		assertThat(lease.electedAt()).isAfterOrEqualTo(leaseAtKill.expiresAt())
			.isBefore(leaseAtKill.expiresAt().plus(EngineProcess.LEASE).plusSeconds(1));
		report("restarted under a new id after SIGKILL: leads %d ms after the kill (lease %d ms)",
				millis(killed, lease.electedAt()), EngineProcess.LEASE.toMillis());
	}

	@Test
	void nodeRestartedUnderSameIdAfterSigkillLeadsAndRunsAgainWhatItWasRunning() throws Exception {
		send(TASKS);
		EngineProcess a = start("node-a");
		awaitLeader(a, Instant.MIN, START_TIMEOUT);
		await().atMost(START_TIMEOUT).until(() -> runningOn(a) >= 2);

		Instant killed = this.records.now();
		assertThat(a.kill()).as("exit status of node-a").isEqualTo(EngineProcess.KILLED);
		Set<Long> orphans = new HashSet<>(this.jdbc
			.sql("SELECT id FROM autotask_task WHERE status = 'RUNNING' AND node_id = ?")
			.param(a.nodeId())
			.query(Long.class)
			.list());
		// As with autotask.node-id set to the host or pod name: the same id, a new process.
		EngineProcess restarted = start(a.nodeId());
		awaitLeader(restarted, killed, EngineProcess.LEASE.plusSeconds(3));
		Lease lease = this.records.lease().orElseThrow();

		// Its own heartbeat keeps the node alive, yet what it ran before the kill is rescued.
		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(100))
			.untilAsserted(() -> assertThat(this.counts.withStatus("SUCCESS")).isEqualTo(TASKS));
		assertThat(this.counts.byStatus()).containsExactly(Map.entry("SUCCESS", (long) TASKS));
		List<Task> rescued = tasks().stream().filter((task) -> task.rescues() > 0).toList();
		assertThat(orphans).as("tasks RUNNING on node-a when it died").isNotEmpty();
		assertThat(rescued).extracting(Task::id).as("tasks rescued").containsExactlyInAnyOrderElementsOf(orphans);
		assertThat(rescued).allSatisfy((task) -> {
			assertThat(task.rescues()).isOne();
			assertThat(task.attempt()).isEqualTo(2);
			assertThat(task.errorType()).isEqualTo(NODE_LOST);
		});
		report("restarted under the same id after SIGKILL: leads %d ms after the kill (lease %d ms),"
				+ " %d task(s) of its earlier process handed back after %d ms", millis(killed, lease.electedAt()),
				EngineProcess.LEASE.toMillis(), rescued.size(),
				millis(killed, rescued.stream().map(Task::rescuedAt).min(Comparator.naturalOrder()).orElseThrow()));
	}

	private EngineProcess start(String nodeId) throws IOException {
		EngineProcess process = EngineProcess.start(postgres, nodeId, this.logs,
				List.of(EngineProcess.workTime(WORK_TIME)));
		this.processes.add(process);
		process.awaitReady(START_TIMEOUT);
		return process;
	}

	private void send(int tasks) {
		List<Object[]> args = IntStream.range(0, tasks).mapToObj((n) -> new Object[] { n }).toList();
		this.client.sendAll(EngineProcess.WORK, SendOptions.owner(OWNER), args);
	}

	// Elected after a given time, so that a node restarted under its old id is not mistaken
	// for its dead predecessor, whose lease still runs.
	private void awaitLeader(EngineProcess process, Instant electedAfter, Duration timeout) {
		await(process.nodeId() + " leads").atMost(timeout)
			.pollInterval(Duration.ofMillis(20))
			.until(() -> this.records.lease().filter((lease) -> lease.leaderId().equals(process.nodeId()))
				.filter((lease) -> lease.electedAt().isAfter(electedAfter))
				.isPresent());
	}

	// Two runs of one n never overlap: each starts after the one before has ended, or after
	// the process that ran it died.
	private static void assertNeverTwiceAtOnce(List<Run> runs, Instant dead) {
		List<Run> byStart = runs.stream().sorted(Comparator.comparing(Run::startedAt)).toList();
		for (int i = 1; i < byStart.size(); i++) {
			Run before = byStart.get(i - 1);
			Instant over = (before.endedAt() != null) ? before.endedAt() : dead;
			assertThat(byStart.get(i).startedAt()).as("start of %s, after %s", byStart.get(i), before)
				.isAfter(over);
		}
	}

	private long runningOn(EngineProcess process) {
		return this.jdbc.sql("SELECT count(*) FROM autotask_task WHERE status = 'RUNNING' AND node_id = ?")
			.param(process.nodeId())
			.query(Long.class)
			.single();
	}

	private long claimedBy(EngineProcess process) {
		return this.jdbc.sql("SELECT count(*) FROM autotask_task WHERE node_id = ?")
			.param(process.nodeId())
			.query(Long.class)
			.single();
	}

	private Instant nodeExpiry(EngineProcess process) {
		return this.jdbc.sql("SELECT expires_at FROM autotask_node WHERE id = ?")
			.param(process.nodeId())
			.query((rs, row) -> instant(rs, "expires_at"))
			.single();
	}

	private List<Task> tasks() {
		return this.jdbc.sql("""
				SELECT id, (args->>0)::int AS n, node_id, attempt, max_attempts, rescues, error->>'type' AS error_type,
					coalesce((error->>'at')::timestamptz, run_at) AS rescued_at, started_at
				FROM autotask_task ORDER BY id""")
			.query((rs, row) -> new Task(rs.getLong("id"), rs.getInt("n"), rs.getString("node_id"),
					rs.getInt("attempt"), rs.getInt("max_attempts"), rs.getInt("rescues"), rs.getString("error_type"),
					instant(rs, "rescued_at"), instant(rs, "started_at")))
			.list();
	}

	private static long millis(Instant from, Instant to) {
		return Duration.between(from, to).toMillis();
	}

	private static void report(String format, Object... args) {
		System.out.println("[autotask] " + format.formatted(args));
	}

	private record Task(long id, int n, String nodeId, int attempt, int maxAttempts, int rescues,
			@Nullable String errorType, Instant rescuedAt, Instant startedAt) {

	}

}
