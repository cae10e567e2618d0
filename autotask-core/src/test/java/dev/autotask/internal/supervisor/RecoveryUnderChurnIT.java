package dev.autotask.internal.supervisor;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.autotask.SendOptions;
import dev.autotask.engine.EngineSettings;
import dev.autotask.internal.engine.TaskClient;
import dev.autotask.internal.supervisor.ChurnRecord.Failover;
import dev.autotask.internal.supervisor.ChurnRecord.Kill;
import dev.autotask.internal.supervisor.ChurnRecord.Orphan;
import dev.autotask.internal.supervisor.ChurnRecord.Wait;
import dev.autotask.internal.supervisor.ProcessRecords.Lease;
import dev.autotask.internal.supervisor.ProcessRecords.Run;
import dev.autotask.testsupport.EngineProcess;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskCounts;
import dev.autotask.testsupport.TcpProxy;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Recovery under churn, with the default settings an operator runs: three engine JVMs on one
 * database run tasks of 5 to 200 ms; every 4 to 8 s one of them is killed with SIGKILL and
 * started again 1 to 3 s later, half the time under its old node id; once the leader is the one
 * killed; once, in the middle, the database is cut away from every engine for 10 s.
 *
 * <p>
 * Each orphan's wait is measured from its node's death (the database clock read just before
 * the kill) to the start of its next run (recorded by the task's body), and must stay within
 * two heartbeat intervals plus one second ({@link #ORPHAN_BOUND}). An orphan whose wait
 * overlaps the cut is measured from the database's return instead, against three heartbeat
 * intervals plus one second ({@link #AFTER_CUT_BOUND}): the nodes first give each other two
 * intervals to heartbeat again. The leader's successor must lead within one lease and one
 * second of the dead leader's last renewal ({@link #FAILOVER_BOUND}), or, where the cut
 * overlaps that, within a third of a lease and one second of the database's return
 * ({@link #AFTER_CUT_FAILOVER_BOUND}). Besides: every task ends
 * once, successfully; no run of a task overlaps another; every rerun is counted as a rescue;
 * no schedule fire is doubled.
 *
 * <p>
 * CI runs it small; {@code -Dautotask.churn.tasks=10000 -Dautotask.churn.kills=12} is the
 * full size, {@code -Dautotask.churn.seed} replays a run's choices.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class RecoveryUnderChurnIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final int TASKS = Integer.getInteger("autotask.churn.tasks", 1500);

	private static final int KILLS = Math.max(3, Integer.getInteger("autotask.churn.kills", 4));

	private static final long SEED = Long.getLong("autotask.churn.seed", System.nanoTime());

	private static final Duration CUT = Duration.parse(System.getProperty("autotask.churn.cut", "PT10S"));

	private static final Duration HEARTBEAT = EngineSettings.DEFAULT_WORKER_MONITOR_INTERVAL;

	static final Duration LEASE = EngineSettings.DEFAULT_LEASE;

	static final Duration ORPHAN_BOUND = HEARTBEAT.multipliedBy(2).plusSeconds(1);

	static final Duration AFTER_CUT_BOUND = HEARTBEAT.multipliedBy(3).plusSeconds(1);

	static final Duration FAILOVER_BOUND = LEASE.plusSeconds(1);

	// No one can be elected while the database is away: a failover the cut overlaps is measured
	// from the database's return, by when the old lease has lapsed and the others try again at
	// least every third of a lease.
	static final Duration AFTER_CUT_FAILOVER_BOUND = LEASE.dividedBy(3).plusSeconds(1);

	private static final int NODES = 3;

	// Topped up before each kill, so that every node is busy when one dies.
	private static final int PENDING_FLOOR = 1000;

	private static final int LEADER_KILL = 1;

	private static final int CUT_AT = KILLS / 2 + 1;

	private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

	private final Random random = new Random(SEED);

	private final List<EngineProcess> processes = new ArrayList<>();

	private final AtomicInteger sent = new AtomicInteger();

	private final AtomicInteger newIds = new AtomicInteger(NODES);

	private ScheduledExecutorService leaseWatch;

	private JdbcClient jdbc;

	private ProcessRecords records;

	private ChurnRecord record;

	private TaskCounts counts;

	private TaskClient client;

	private TcpProxy proxy;

	private Path logs;

	@BeforeEach
	void setUp() throws IOException {
		this.jdbc = postgres.jdbc();
		this.records = new ProcessRecords(this.jdbc);
		this.record = new ChurnRecord(this.jdbc);
		this.counts = new TaskCounts(postgres);
		EngineProcess.createWorkLog(this.jdbc);
		this.client = EngineProcess.client(postgres);
		this.proxy = postgres.newProxy();
		this.logs = Path.of("target", "recovery-under-churn");
		this.leaseWatch = Executors.newSingleThreadScheduledExecutor();
		this.leaseWatch.scheduleWithFixedDelay(this.record::watchLease, 0, 50, TimeUnit.MILLISECONDS);
	}

	@AfterEach
	void tearDown() throws InterruptedException {
		this.leaseWatch.shutdownNow();
		this.leaseWatch.awaitTermination(5, TimeUnit.SECONDS);
		this.processes.forEach(EngineProcess::close);
		this.proxy.close();
	}

	@Test
	void everyOrphanRunsAgainAndEveryFailoverEndsWithinTheirBoundsUnderRepeatedKills() throws Exception {
		report("seed %d, %d tasks, %d kills, cut of %s", SEED, TASKS, KILLS, CUT);
		send(TASKS);
		for (int i = 1; i <= NODES; i++) {
			launch("node-" + i);
		}
		this.processes.forEach((process) -> process.awaitReady(START_TIMEOUT));
		await("a leader").atMost(LEASE.multipliedBy(2)).until(() -> currentLeader() != null);

		Instant lastKill = this.records.now();
		for (int step = 0; step < KILLS; step++) {
			pause(Duration.ofMillis(4000 + this.random.nextInt(4001)), lastKill);
			topUp();
			Kill kill = kill(step);
			lastKill = kill.before();
			if (step == CUT_AT) {
				pause(Duration.ofSeconds(1), this.records.now());
				cut();
			}
			pause(Duration.ofMillis(1000 + this.random.nextInt(2001)), this.records.now());
			// The leader comes back under a new id: its successor is elected, not itself again.
			boolean sameId = step != LEADER_KILL && this.random.nextBoolean();
			launch(sameId ? kill.nodeId() : "node-" + this.newIds.incrementAndGet()).awaitReady(START_TIMEOUT);
		}

		int total = this.sent.get();
		await("every task done").atMost(Duration.ofMinutes(5))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> worked("SUCCESS") == total);
		this.leaseWatch.shutdownNow();
		this.leaseWatch.awaitTermination(5, TimeUnit.SECONDS);

		Map<Integer, List<Run>> runs = this.records.runs();
		List<Wait> waits = this.record.orphanWaits(runs);
		List<Failover> failovers = this.record.failovers();
		waits.stream()
			.collect(Collectors.groupingBy(Wait::kill, LinkedHashMap::new, Collectors.toList()))
			.forEach((kill, ofKill) -> report("kill %d of %s: %d orphan(s), longest wait %d ms%s", kill.step(),
					kill.nodeId(), ofKill.size(), ofKill.stream().mapToLong(Wait::millis).max().orElse(0),
					ofKill.get(0).afterCut() ? " (after the cut)" : ""));
		failovers.forEach((failover) -> report(
				"failover from %s: %s leads %d ms after the kill, %d ms after the last renewal (lease %d ms)%s",
				failover.from(), failover.to(), failover.afterKill(), failover.afterRenewal(), LEASE.toMillis(),
				failover.afterCut() ? ", overlapped by the cut: " + failover.measured()
						+ " ms after the database's return (or a third of a lease before the lapse, if later)" : ""));
		Wait worst = waits.stream().filter((wait) -> !wait.afterCut()).max(Comparator.comparing(Wait::millis))
			.orElseThrow();
		report("worst orphan wait %d ms (bound %d ms) over %d orphan(s) of %d kill(s), %d task(s) in all",
				worst.millis(), ORPHAN_BOUND.toMillis(), waits.size(), this.record.kills().size(), total);
		waits.stream().filter(Wait::afterCut).max(Comparator.comparing(Wait::millis)).ifPresent((wait) -> report(
				"worst orphan wait after the cut %d ms from its return (bound %d ms)", wait.millis(),
				AFTER_CUT_BOUND.toMillis()));

		// The schedule goes on firing: only its latest tick may still be pending or running.
		assertThat(this.counts.byStatus()).doesNotContainKeys("FAILURE", "CANCELLED");
		assertThat(worked("SUCCESS")).isEqualTo(total);
		assertThat(runs).as("n that ran").hasSize(total);
		runs.values().forEach(this.record::assertNeverTwiceAtOnce);
		this.record.assertEveryRerunRescued(runs);
		assertThat(this.jdbc.sql("""
				SELECT count(*) FROM (
					SELECT run_at FROM autotask_task WHERE name = 'tick' GROUP BY run_at HAVING count(*) > 1) AS doubled""")
			.query(Long.class)
			.single()).as("ticks fired twice").isZero();
		assertThat(waits).as("orphans measured").isNotEmpty();
		assertThat(waits).allSatisfy((wait) -> assertThat(wait.millis()).as("wait of %s", wait)
			.isLessThanOrEqualTo((wait.afterCut() ? AFTER_CUT_BOUND : ORPHAN_BOUND).toMillis()));
		assertThat(failovers).as("failovers").isNotEmpty();
		assertThat(failovers).allSatisfy((failover) -> assertThat(failover.measured()).as("%s", failover)
			.isLessThanOrEqualTo((failover.afterCut() ? AFTER_CUT_FAILOVER_BOUND : FAILOVER_BOUND).toMillis()));
	}

	private EngineProcess launch(String nodeId) throws IOException {
		EngineProcess process = EngineProcess.start(postgres, this.proxy, nodeId, this.logs,
				List.of(EngineProcess.DEFAULTS, EngineProcess.TICKING, EngineProcess.workTime(Duration.ofMillis(5)),
						EngineProcess.maxWorkTime(Duration.ofMillis(200))));
		this.processes.add(process);
		return process;
	}

	private Kill kill(int step) throws InterruptedException {
		String leader = currentLeader();
		List<EngineProcess> alive = this.processes.stream().filter(EngineProcess::isAlive).toList();
		EngineProcess victim = (step == LEADER_KILL)
				? alive.stream().filter((process) -> process.nodeId().equals(leader)).findFirst().orElseThrow()
				: pick(alive.stream().filter((process) -> !process.nodeId().equals(leader)).toList());
		Instant before = this.records.now();
		assertThat(victim.kill()).as("exit status of %s", victim.nodeId()).isEqualTo(EngineProcess.KILLED);
		Instant after = this.records.now();
		List<Orphan> orphans = this.jdbc
			.sql("""
					SELECT id, name, (args->>0)::int AS n, attempt FROM autotask_task
					WHERE status = 'RUNNING' AND node_id = ?""")
			.param(victim.nodeId())
			.query((rs, row) -> new Orphan(rs.getLong("id"), rs.getString("name"), rs.getInt("n"), rs.getInt("attempt")))
			.list();
		Kill kill = new Kill(step, victim.nodeId(), victim.nodeId().equals(leader), before, after, orphans);
		this.record.killed(kill);
		report("kill %d: %s%s with %d task(s) running", step, victim.nodeId(), kill.leader() ? " (leader)" : "",
				orphans.size());
		return kill;
	}

	private void cut() {
		Instant start = this.records.now();
		this.proxy.cut();
		pause(CUT, start);
		this.proxy.restore();
		Instant end = this.records.now();
		this.record.cut(start, end);
		report("database cut for %d ms", Duration.between(start, end).toMillis());
	}

	private EngineProcess pick(List<EngineProcess> candidates) {
		return candidates.get(this.random.nextInt(candidates.size()));
	}

	private void topUp() {
		long pending = worked("PENDING");
		if (pending < PENDING_FLOOR) {
			send(PENDING_FLOOR);
		}
	}

	private long worked(String status) {
		return this.jdbc.sql("SELECT count(*) FROM autotask_task WHERE name = 'work' AND status = ?")
			.param(status)
			.query(Long.class)
			.single();
	}

	private void send(int tasks) {
		int first = this.sent.getAndAdd(tasks);
		List<Object[]> args = IntStream.range(first, first + tasks).mapToObj((n) -> new Object[] { n }).toList();
		this.client.sendAll(EngineProcess.WORK, SendOptions.owner("churn"), args);
	}

	// Time passes between the steps of the churn by design: nothing is awaited but the clock.
	private void pause(Duration length, Instant from) {
		Instant until = from.plus(length);
		await().atMost(length.plusSeconds(5))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> !this.records.now().isBefore(until));
	}

	private @Nullable String currentLeader() {
		return this.records.lease().map(Lease::leaderId).orElse(null);
	}

	static void report(String format, Object... args) {
		System.out.println("[autotask] churn: " + format.formatted(args));
	}

}
