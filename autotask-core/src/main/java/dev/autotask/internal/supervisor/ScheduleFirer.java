package dev.autotask.internal.supervisor;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import dev.autotask.internal.jdbc.FireTable;
import dev.autotask.schedule.Misfire;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import dev.autotask.task.TaskSchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enqueues periodic and cron tasks when they are due. Runs on the leader only, but every fire
 * is guarded by the fire table's unique key, so a second node that also believes it leads
 * enqueues nothing.
 *
 * <p>
 * Where a schedule stands is kept in the fire table, not in memory: a new leader goes on from
 * the last fire. A schedule seen for the first time counts from now (or fires now, with
 * {@code startNow}). Fires missed while no node was up run once, the latest of them, or are
 * skipped, per the task's {@link Misfire}. A fire whose previous run is still pending or running
 * is recorded as skipped, so slow runs never pile up.
 */
public final class ScheduleFirer {

	private static final Logger logger = LoggerFactory.getLogger(ScheduleFirer.class);

	/** A fire later than this is a misfire, not a tick that came a little late. */
	static final Duration MISFIRE_GRACE = Duration.ofMinutes(1);

	/** Bound on the fires walked over to find the latest missed one. */
	private static final int MAX_MISSED_STEPS = 1_000_000;

	private final FireTable fires;

	private final TaskRegistry registry;

	private final String owner;

	private final Duration defaultTtl;

	/**
	 * Create the firer.
	 * @param fires the fire table
	 * @param registry the tasks and their schedules
	 * @param owner the owner of the tasks it enqueues
	 * @param defaultTtl the TTL of tasks that set none
	 */
	public ScheduleFirer(FireTable fires, TaskRegistry registry, String owner, Duration defaultTtl) {
		this.fires = fires;
		this.registry = registry;
		this.owner = owner;
		this.defaultTtl = defaultTtl;
	}

	/**
	 * Fire every schedule that is due, on the database's clock.
	 * @return how many tasks were enqueued
	 */
	public int runOnce() {
		return runOnce(this.fires.now());
	}

	/**
	 * Fire every schedule that is due at {@code now}.
	 * @param now the time to fire for
	 * @return how many tasks were enqueued
	 */
	public int runOnce(Instant now) {
		int enqueued = 0;
		Set<String> paused = this.registry.schedules().isEmpty() ? Set.of() : this.fires.findPaused();
		for (TaskSchedule schedule : this.registry.schedules()) {
			if (fireIfDue(schedule, now, paused.contains(schedule.taskName()))) {
				enqueued++;
			}
		}
		return enqueued;
	}

	private boolean fireIfDue(TaskSchedule schedule, Instant now, boolean paused) {
		String name = schedule.taskName();
		Optional<Instant> last = this.fires.lastFire(name);
		if (last.isEmpty()) {
			if (schedule.startNow()) {
				return fire(schedule, now, paused);
			}
			this.fires.mark(name, now);
			return false;
		}
		Instant due = schedule.schedule().nextAfter(last.get());
		if (due.isAfter(now)) {
			return false;
		}
		Instant latest = latestDue(schedule, due, now);
		boolean missed = latest.plus(MISFIRE_GRACE).isBefore(now) || !latest.equals(due);
		if (missed && schedule.misfire() == Misfire.SKIP) {
			logger.info("Schedule {} skips fires missed up to {}", name, latest);
			this.fires.mark(name, latest);
			return false;
		}
		if (missed) {
			logger.info("Schedule {} missed fires from {} to {}; running the latest once", name, due, latest);
		}
		return fire(schedule, latest, paused);
	}

	private Instant latestDue(TaskSchedule schedule, Instant due, Instant now) {
		Instant latest = due;
		for (int i = 0; i < MAX_MISSED_STEPS; i++) {
			Instant next = schedule.schedule().nextAfter(latest);
			if (next.isAfter(now)) {
				return latest;
			}
			latest = next;
		}
		return latest;
	}

	// A paused schedule fires all the same, as a skipped fire (the statement reads the pause
	// itself): resumed, it goes on from its next fire rather than catching up.
	private boolean fire(TaskSchedule schedule, Instant at, boolean paused) {
		TaskDefinition task = this.registry.get(schedule.taskName());
		Duration ttl = (task.ttl() != null) ? task.ttl() : this.defaultTtl;
		FireTable.Outcome outcome = this.fires.fire(new FireTable.Fire(schedule.taskName(), at, task.name(),
				task.queue(), this.owner, task.maxAttempts(), ttl.toMillis()));
		if (outcome.fired() && outcome.taskId() == null && !paused) {
			logger.info("Schedule {} skipped its fire at {}: the previous run is still busy", schedule.taskName(), at);
		}
		return outcome.taskId() != null;
	}

}
