package dev.autotask.internal.supervisor;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
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

	private static final Duration LEASE = EngineSettings.DEFAULT_LEASE;

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

	private final List<Kill> kills = new ArrayList<>();

	// Every lease seen, by leader and election, with the last expiry seen: its last renewal.
	private final Map<String, Lease> leases = new LinkedHashMap<>();

	private final AtomicInteger sent = new AtomicInteger();

	private final AtomicInteger newIds = new AtomicInteger(NODES);

	private ScheduledExecutorService leaseWatch;

	private JdbcClient jdbc;

	private TaskCounts counts;

	private TaskClient client;

	private TcpProxy proxy;

	private Path logs;

	private @Nullable Instant cutStart;

	private @Nullable Instant cutEnd;

	@BeforeEach
	void setUp() throws IOException {
		this.jdbc = postgres.jdbc();
		this.counts = new TaskCounts(postgres);
		EngineProcess.createWorkLog(this.jdbc);
		this.client = EngineProcess.client(postgres);
		this.proxy = postgres.newProxy();
		this.logs = Path.of("target", "recovery-under-churn");
		this.leaseWatch = Executors.newSingleThreadScheduledExecutor();
		this.leaseWatch.scheduleWithFixedDelay(this::watchLease, 0, 50, TimeUnit.MILLISECONDS);
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

		Instant lastKill = databaseNow();
		for (int step = 0; step < KILLS; step++) {
			pause(Duration.ofMillis(4000 + this.random.nextInt(4001)), lastKill);
			topUp();
			Kill kill = kill(step);
			lastKill = kill.before();
			if (step == CUT_AT) {
				pause(Duration.ofSeconds(1), databaseNow());
				cut();
			}
			pause(Duration.ofMillis(1000 + this.random.nextInt(2001)), databaseNow());
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

		Map<Integer, List<Run>> runs = workRuns();
		List<Wait> waits = orphanWaits(runs);
		List<Failover> failovers = failovers();
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
				worst.millis(), ORPHAN_BOUND.toMillis(), waits.size(), this.kills.size(), total);
		waits.stream().filter(Wait::afterCut).max(Comparator.comparing(Wait::millis)).ifPresent((wait) -> report(
				"worst orphan wait after the cut %d ms from its return (bound %d ms)", wait.millis(),
				AFTER_CUT_BOUND.toMillis()));

		// The schedule goes on firing: only its latest tick may still be pending or running.
		assertThat(this.counts.byStatus()).doesNotContainKeys("FAILURE", "CANCELLED");
		assertThat(worked("SUCCESS")).isEqualTo(total);
		assertThat(runs).as("n that ran").hasSize(total);
		runs.values().forEach(this::assertNeverTwiceAtOnce);
		assertEveryRerunRescued(runs);
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
		Instant before = databaseNow();
		assertThat(victim.kill()).as("exit status of %s", victim.nodeId()).isEqualTo(EngineProcess.KILLED);
		Instant after = databaseNow();
		List<Orphan> orphans = this.jdbc
			.sql("""
					SELECT id, name, (args->>0)::int AS n, attempt FROM autotask_task
					WHERE status = 'RUNNING' AND node_id = ?""")
			.param(victim.nodeId())
			.query((rs, row) -> new Orphan(rs.getLong("id"), rs.getString("name"), rs.getInt("n"), rs.getInt("attempt")))
			.list();
		Kill kill = new Kill(step, victim.nodeId(), victim.nodeId().equals(leader), before, after, orphans);
		this.kills.add(kill);
		report("kill %d: %s%s with %d task(s) running", step, victim.nodeId(), kill.leader() ? " (leader)" : "",
				orphans.size());
		return kill;
	}

	private void cut() {
		this.cutStart = databaseNow();
		this.proxy.cut();
		pause(CUT, this.cutStart);
		this.proxy.restore();
		this.cutEnd = databaseNow();
		report("database cut for %d ms", Duration.between(this.cutStart, this.cutEnd).toMillis());
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
		await().atMost(length.plusSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> !databaseNow().isBefore(until));
	}

	private @Nullable String currentLeader() {
		return this.jdbc.sql("SELECT leader_id FROM autotask_leader WHERE expires_at > now()")
			.query(String.class)
			.optional()
			.orElse(null);
	}

	private void watchLease() {
		try {
			this.jdbc.sql("SELECT leader_id, elected_at, expires_at FROM autotask_leader")
				.query((rs, row) -> new Lease(rs.getString("leader_id"), instant(rs, "elected_at"),
						instant(rs, "expires_at")))
				.optional()
				.ifPresent((lease) -> {
					synchronized (this.leases) {
						this.leases.put(lease.leaderId() + "@" + lease.electedAt(), lease);
					}
				});
		}
		catch (RuntimeException ex) {
			// Looked at again 50 ms later.
		}
	}

	/**
	 * The wait of every orphan, from its node's death to its next start. An orphan taken again
	 * by a node that was killed before it started it is measured from that later kill.
	 */
	private List<Wait> orphanWaits(Map<Integer, List<Run>> runs) {
		Map<Long, List<Instant>> ticks = tickRuns();
		List<Wait> waits = new ArrayList<>();
		int endedLate = 0;
		for (Kill kill : this.kills) {
			for (Orphan orphan : kill.orphans()) {
				List<Instant> starts = orphan.name().equals(EngineProcess.WORK)
						? runs.getOrDefault(orphan.n(), List.of()).stream().map(Run::startedAt).toList()
						: ticks.getOrDefault(orphan.id(), List.of());
				Instant rerun = starts.stream()
					.filter((start) -> start.isAfter(kill.before()))
					.min(Comparator.naturalOrder())
					.orElse(null);
				if (rerun == null && endedByKilledProcess(kill, orphan)) {
					endedLate++;
					continue;
				}
				assertThat(rerun).as("next run of orphan %s of %s", orphan, kill).isNotNull();
				if (orphanedAgainBefore(orphan, kill, rerun)) {
					continue;
				}
				// Caught by the cut: due after it began, and not run again before it.
				boolean afterCut = this.cutStart != null && this.cutEnd != null
						&& !kill.before().plus(ORPHAN_BOUND).isBefore(this.cutStart)
						&& kill.before().isBefore(this.cutEnd.plus(AFTER_CUT_BOUND)) && rerun.isAfter(this.cutStart);
				Instant from = afterCut ? max(kill.before(), this.cutEnd) : kill.before();
				waits.add(new Wait(kill, orphan, afterCut, Duration.between(from, rerun).toMillis()));
			}
		}
		report("%d task(s) RUNNING on a killed node had in fact ended there: the outcome was on its way", endedLate);
		return waits;
	}

	// Rescued, then claimed by a node that was killed before it started it: measured from that
	// later kill.
	private boolean orphanedAgainBefore(Orphan orphan, Kill kill, Instant rerun) {
		return this.kills.stream()
			.filter((later) -> later.before().isAfter(kill.before()) && later.before().isBefore(rerun))
			.anyMatch((later) -> later.orphans().stream().anyMatch((again) -> again.id() == orphan.id()));
	}

	private List<Failover> failovers() {
		List<Lease> seen;
		synchronized (this.leases) {
			seen = List.copyOf(this.leases.values());
		}
		List<Failover> failovers = new ArrayList<>();
		for (Kill kill : this.kills) {
			if (!kill.leader()) {
				continue;
			}
			Lease last = seen.stream()
				.filter((lease) -> lease.leaderId().equals(kill.nodeId()) && lease.electedAt().isBefore(kill.before()))
				.max(Comparator.comparing(Lease::electedAt))
				.orElseThrow();
			Lease successor = seen.stream()
				.filter((lease) -> lease.electedAt().isAfter(kill.before()))
				.min(Comparator.comparing(Lease::electedAt))
				.orElseThrow();
			Instant renewed = last.expiresAt().minus(LEASE);
			// Overlapped by the cut: then due a third of a lease and a second after the database's
			// return, or a second after the lapse if that is later.
			boolean afterCut = this.cutStart != null && this.cutEnd != null
					&& this.cutStart.isBefore(renewed.plus(FAILOVER_BOUND)) && this.cutEnd.isAfter(renewed);
			Instant from = afterCut ? max(this.cutEnd, last.expiresAt().minus(LEASE.dividedBy(3))) : renewed;
			failovers.add(new Failover(kill.nodeId(), successor.leaderId(),
					Duration.between(kill.before(), successor.electedAt()).toMillis(),
					Duration.between(renewed, successor.electedAt()).toMillis(), afterCut,
					Duration.between(from, successor.electedAt()).toMillis()));
		}
		return failovers;
	}

	// Two runs of one n never overlap: each starts after the one before has ended, or after the
	// process that ran it was killed.
	private void assertNeverTwiceAtOnce(List<Run> runs) {
		List<Run> byStart = runs.stream().sorted(Comparator.comparing(Run::startedAt)).toList();
		for (int i = 1; i < byStart.size(); i++) {
			Run before = byStart.get(i - 1);
			Instant over = (before.endedAt() != null) ? before.endedAt()
					: this.kills.stream()
						.filter((kill) -> kill.nodeId().equals(before.node()) && kill.after().isAfter(before.startedAt()))
						.map(Kill::after)
						.min(Comparator.naturalOrder())
						.orElseThrow(() -> new AssertionError("run never ended on a node never killed: " + before));
			assertThat(byStart.get(i).startedAt()).as("start of %s, after %s", byStart.get(i), before).isAfter(over);
		}
	}

	// The outcome the killed process had sent before it died reached the database after the kill
	// (it was still on its way): the task was no orphan.
	private boolean endedByKilledProcess(Kill kill, Orphan orphan) {
		return this.jdbc.sql("SELECT count(*) FROM autotask_task WHERE id = ? AND node_id = ? AND attempt = ?"
				+ " AND status IN ('SUCCESS', 'FAILURE')")
			.params(orphan.id(), kill.nodeId(), orphan.attempt())
			.query(Long.class)
			.single() == 1;
	}

	// A task runs again only when it was rescued (no run fails: the runs are recorded past the
	// cut): every attempt after the first is a rescue, never more runs than attempts, and every
	// orphan counted as rescued.
	private void assertEveryRerunRescued(Map<Integer, List<Run>> runs) {
		Map<Integer, Integer> rescues = this.jdbc
			.sql("SELECT (args->>0)::int AS n, rescues FROM autotask_task WHERE name = 'work'")
			.query((rs, row) -> Map.entry(rs.getInt("n"), rs.getInt("rescues")))
			.list()
			.stream()
			.collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
		assertThat(this.jdbc.sql("SELECT count(*) FROM autotask_task WHERE name = 'work' AND attempt <> 1 + rescues")
			.query(Long.class)
			.single()).as("tasks with an attempt that was not a rescue").isZero();
		runs.forEach((n, ofN) -> assertThat(ofN).as("runs of n = %d", n).hasSizeLessThanOrEqualTo(rescues.get(n) + 1));
		for (Kill kill : this.kills) {
			kill.orphans()
				.stream()
				.filter((orphan) -> orphan.name().equals(EngineProcess.WORK) && !endedByKilledProcess(kill, orphan))
				.forEach((orphan) -> assertThat(rescues.get(orphan.n())).as("rescues of %s", orphan).isPositive());
		}
	}

	private Map<Integer, List<Run>> workRuns() {
		return this.jdbc.sql("SELECT n, node, started_at, ended_at FROM work_log ORDER BY id")
			.query((rs, row) -> new Run(rs.getInt("n"), rs.getString("node"), instant(rs, "started_at"),
					instant(rs, "ended_at")))
			.list()
			.stream()
			.collect(Collectors.groupingBy(Run::n));
	}

	private Map<Long, List<Instant>> tickRuns() {
		return this.jdbc.sql("SELECT task_id, started_at FROM tick_log")
			.query((rs, row) -> Map.entry(rs.getLong("task_id"), instant(rs, "started_at")))
			.list()
			.stream()
			.collect(Collectors.groupingBy(Map.Entry::getKey,
					Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
	}

	private Instant databaseNow() {
		return this.jdbc.sql("SELECT clock_timestamp() AS now").query((rs, row) -> instant(rs, "now")).single();
	}

	private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
		OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
		return (value != null) ? value.toInstant() : null;
	}

	private static Instant max(Instant a, Instant b) {
		return a.isAfter(b) ? a : b;
	}

	private static void report(String format, Object... args) {
		System.out.println("[autotask] churn: " + format.formatted(args));
	}

	private record Kill(int step, String nodeId, boolean leader, Instant before, Instant after, List<Orphan> orphans) {

		@Override
		public String toString() {
			return "kill " + this.step + " of " + this.nodeId + " at " + this.before;
		}

	}

	private record Orphan(long id, String name, int n, int attempt) {

	}

	private record Wait(Kill kill, Orphan orphan, boolean afterCut, long millis) {

	}

	private record Lease(String leaderId, Instant electedAt, Instant expiresAt) {

	}

	private record Failover(String from, String to, long afterKill, long afterRenewal, boolean afterCut,
			long measured) {

	}

	private record Run(int n, String node, Instant startedAt, @Nullable Instant endedAt) {

	}

}
