package dev.autotask.internal.supervisor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.autotask.internal.supervisor.ProcessRecords.Lease;
import dev.autotask.internal.supervisor.ProcessRecords.Run;
import dev.autotask.testsupport.EngineProcess;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;

import static dev.autotask.internal.supervisor.RecoveryUnderChurnIT.AFTER_CUT_BOUND;
import static dev.autotask.internal.supervisor.RecoveryUnderChurnIT.FAILOVER_BOUND;
import static dev.autotask.internal.supervisor.RecoveryUnderChurnIT.LEASE;
import static dev.autotask.internal.supervisor.RecoveryUnderChurnIT.ORPHAN_BOUND;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a run of {@link RecoveryUnderChurnIT} did (its kills, the cut, every lease seen) and
 * what the engines left in the database, measured against the bounds: each orphan's wait, each
 * failover, and the runs of every task.
 */
final class ChurnRecord {

	private final JdbcClient jdbc;

	private final ProcessRecords records;

	private final List<Kill> kills = new ArrayList<>();

	// Every lease seen, by leader and election, with the last expiry seen: its last renewal.
	private final Map<String, Lease> leases = new LinkedHashMap<>();

	private @Nullable Instant cutStart;

	private @Nullable Instant cutEnd;

	ChurnRecord(JdbcClient jdbc) {
		this.jdbc = jdbc;
		this.records = new ProcessRecords(jdbc);
	}

	void killed(Kill kill) {
		this.kills.add(kill);
	}

	List<Kill> kills() {
		return this.kills;
	}

	void cut(Instant start, Instant end) {
		this.cutStart = start;
		this.cutEnd = end;
	}

	void watchLease() {
		try {
			this.records.leaseRow().ifPresent((lease) -> {
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
	List<Wait> orphanWaits(Map<Integer, List<Run>> runs) {
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
		RecoveryUnderChurnIT.report(
				"%d task(s) RUNNING on a killed node had in fact ended there: the outcome was on its way", endedLate);
		return waits;
	}

	// Rescued, then claimed by a node that was killed before it started it: measured from that
	// later kill.
	private boolean orphanedAgainBefore(Orphan orphan, Kill kill, Instant rerun) {
		return this.kills.stream()
			.filter((later) -> later.before().isAfter(kill.before()) && later.before().isBefore(rerun))
			.anyMatch((later) -> later.orphans().stream().anyMatch((again) -> again.id() == orphan.id()));
	}

	List<Failover> failovers() {
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
	void assertNeverTwiceAtOnce(List<Run> runs) {
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
	void assertEveryRerunRescued(Map<Integer, List<Run>> runs) {
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

	private Map<Long, List<Instant>> tickRuns() {
		return this.jdbc.sql("SELECT task_id, started_at FROM tick_log")
			.query((rs, row) -> Map.entry(rs.getLong("task_id"), ProcessRecords.instant(rs, "started_at")))
			.list()
			.stream()
			.collect(Collectors.groupingBy(Map.Entry::getKey,
					Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
	}

	private static Instant max(Instant a, Instant b) {
		return a.isAfter(b) ? a : b;
	}

	record Kill(int step, String nodeId, boolean leader, Instant before, Instant after, List<Orphan> orphans) {

		@Override
		public String toString() {
			return "kill " + this.step + " of " + this.nodeId + " at " + this.before;
		}

	}

	record Orphan(long id, String name, int n, int attempt) {

	}

	record Wait(Kill kill, Orphan orphan, boolean afterCut, long millis) {

	}

	record Failover(String from, String to, long afterKill, long afterRenewal, boolean afterCut,
			long measured) {

	}

}
