package dev.autotask.internal.supervisor;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import dev.autotask.internal.jdbc.FireTable;
import dev.autotask.internal.jdbc.RuntimeScheduleTable;
import dev.autotask.schedule.Misfire;
import dev.autotask.schedule.Schedule;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import dev.autotask.task.TaskSchedule;
import org.jspecify.annotations.Nullable;
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
 *
 * <p>
 * Schedules created at run time are read from their table on each tick and fired the same
 * way, under the key {@code runtime:<id>}, with their own arguments and owner; a deleted one
 * fires no more, even if this tick read it before the delete.
 */
public final class ScheduleFirer {

	private static final Logger logger = LoggerFactory.getLogger(ScheduleFirer.class);

	/** A fire later than this is a misfire, not a tick that came a little late. */
	static final Duration MISFIRE_GRACE = Duration.ofMinutes(1);

	/** Bound on the fires walked over to find the latest missed one. */
	private static final int MAX_MISSED_STEPS = 1_000_000;

	private final FireTable fires;

	private final TaskRegistry registry;

	private final Supplier<List<RuntimeScheduleTable.Row>> runtimeSchedules;

	private final String owner;

	private final Duration defaultTtl;

	// Schedules already parsed, by kind, expression and zone: the leader reads the rows each tick.
	private final Map<String, Schedule> parsed = new ConcurrentHashMap<>();

	// Runtime schedules already warned of, so that a tick every half second does not repeat it.
	private final Set<String> warned = ConcurrentHashMap.newKeySet();

	/**
	 * Create a firer of the declared schedules only.
	 * @param fires the fire table
	 * @param registry the tasks and their schedules
	 * @param owner the owner of the tasks it enqueues
	 * @param defaultTtl the TTL of tasks that set none
	 */
	public ScheduleFirer(FireTable fires, TaskRegistry registry, String owner, Duration defaultTtl) {
		this(fires, registry, List::of, owner, defaultTtl);
	}

	/**
	 * Create the firer.
	 * @param fires the fire table
	 * @param registry the tasks and their schedules
	 * @param runtimeSchedules reads the schedules created at run time, on each tick, so that
	 * creates, changes and deletes on any node count from the next tick
	 * @param owner the owner of the tasks declared schedules enqueue
	 * @param defaultTtl the TTL of tasks that set none
	 */
	public ScheduleFirer(FireTable fires, TaskRegistry registry,
			Supplier<List<RuntimeScheduleTable.Row>> runtimeSchedules, String owner, Duration defaultTtl) {
		this.fires = fires;
		this.registry = registry;
		this.runtimeSchedules = runtimeSchedules;
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
			String name = schedule.taskName();
			Plan plan = new Plan(name, name, schedule.schedule(), schedule.startNow(), schedule.misfire(),
					this.registry.get(name), this.owner, "[]", null, paused.contains(name));
			if (fireIfDue(plan, now)) {
				enqueued++;
			}
		}
		for (RuntimeScheduleTable.Row row : this.runtimeSchedules.get()) {
			Plan plan = plan(row);
			if (plan != null && fireIfDue(plan, now)) {
				enqueued++;
			}
		}
		return enqueued;
	}

	// A runtime schedule whose task this node does not know (a node of another version leads) is
	// left for a leader that does: it is not fired without the task's queue and attempts.
	private @Nullable Plan plan(RuntimeScheduleTable.Row row) {
		String label = row.owner() + "/" + row.name();
		TaskDefinition task = this.registry.find(row.task()).orElse(null);
		if (task == null) {
			if (this.warned.add(row.key() + " " + row.task())) {
				logger.warn("Schedule {} fires task '{}', which this node does not know: it does not fire it", label,
						row.task());
			}
			return null;
		}
		Schedule schedule;
		try {
			schedule = this.parsed.computeIfAbsent(row.kind() + " " + row.zone() + " " + row.expression(),
					(key) -> Recurrence.parse(row.kind(), row.expression(), row.zone()));
		}
		catch (IllegalArgumentException ex) {
			if (this.warned.add(row.key() + " " + row.expression())) {
				logger.warn("Schedule {} cannot be read on this node: {}", label, ex.getMessage());
			}
			return null;
		}
		return new Plan(row.key(), label, schedule, false, Misfire.valueOf(row.misfire()), task, row.owner(),
				row.args(), row.id(), row.paused());
	}

	private boolean fireIfDue(Plan plan, Instant now) {
		String name = plan.label();
		Optional<Instant> last = this.fires.lastFire(plan.key());
		if (last.isEmpty()) {
			if (plan.startNow()) {
				return fire(plan, now);
			}
			this.fires.mark(plan.key(), now);
			return false;
		}
		Instant due = plan.schedule().nextAfter(last.get());
		if (due.isAfter(now)) {
			return false;
		}
		Instant latest = latestDue(plan.schedule(), due, now);
		boolean missed = latest.plus(MISFIRE_GRACE).isBefore(now) || !latest.equals(due);
		if (missed && plan.misfire() == Misfire.SKIP) {
			logger.info("Schedule {} skips fires missed up to {}", name, latest);
			this.fires.mark(plan.key(), latest);
			return false;
		}
		if (missed) {
			logger.info("Schedule {} missed fires from {} to {}; running the latest once", name, due, latest);
		}
		return fire(plan, latest);
	}

	private Instant latestDue(Schedule schedule, Instant due, Instant now) {
		Instant latest = due;
		for (int i = 0; i < MAX_MISSED_STEPS; i++) {
			Instant next = schedule.nextAfter(latest);
			if (next.isAfter(now)) {
				return latest;
			}
			latest = next;
		}
		return latest;
	}

	// A paused schedule fires all the same, as a skipped fire (the statement reads the pause
	// itself): resumed, it goes on from its next fire rather than catching up.
	private boolean fire(Plan plan, Instant at) {
		TaskDefinition task = plan.task();
		Duration ttl = (task.ttl() != null) ? task.ttl() : this.defaultTtl;
		FireTable.Outcome outcome = this.fires.fire(new FireTable.Fire(plan.key(), at, task.name(), task.queue(),
				plan.owner(), task.maxAttempts(), ttl.toMillis(), plan.args(), plan.runtimeId()));
		if (outcome.fired() && outcome.taskId() == null && !plan.paused()) {
			logger.info("Schedule {} skipped its fire at {}: the previous run is still busy", plan.label(), at);
		}
		return outcome.taskId() != null;
	}

	/**
	 * One schedule to fire, declared or created at run time.
	 *
	 * @param key its key in the fire table
	 * @param label how the log names it
	 * @param schedule when it fires
	 * @param startNow whether it fires at first sight
	 * @param misfire what it does about missed fires
	 * @param task the task it enqueues
	 * @param owner the owner of that task
	 * @param args its arguments, a JSON array
	 * @param runtimeId the runtime schedule's id, or {@code null} for a declared one
	 * @param paused whether it was paused when read (the fire itself reads the pause again)
	 */
	private record Plan(String key, String label, Schedule schedule, boolean startNow, Misfire misfire,
			TaskDefinition task, String owner, String args, @Nullable Long runtimeId, boolean paused) {

	}

}
