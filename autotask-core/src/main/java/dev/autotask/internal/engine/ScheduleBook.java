package dev.autotask.internal.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.autotask.FireInfo;
import dev.autotask.ScheduleEntry;
import dev.autotask.ScheduleInfo;
import dev.autotask.ScheduleSpec;
import dev.autotask.Schedules;
import dev.autotask.internal.jdbc.FireTable;
import dev.autotask.internal.jdbc.RuntimeScheduleTable;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.internal.supervisor.Recurrence;
import dev.autotask.schedule.Misfire;
import dev.autotask.schedule.Schedule;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import dev.autotask.task.TaskSchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DuplicateKeyException;

/**
 * {@link Schedules} over the runtime schedule table, with the declared schedules of
 * {@link ScheduleView} in the same list. Every spec is checked here, against this node's
 * registry, before it is stored: the leader then reads only schedules that parse.
 */
final class ScheduleBook implements Schedules {

	private static final Logger logger = LoggerFactory.getLogger(ScheduleBook.class);

	private static final int MAX_NAME_LENGTH = 200;

	private final RuntimeScheduleTable table;

	private final FireTable fires;

	private final ScheduleView declared;

	private final TaskRegistry registry;

	private final TaskJson json;

	ScheduleBook(RuntimeScheduleTable table, FireTable fires, ScheduleView declared, TaskRegistry registry,
			TaskJson json) {
		this.table = table;
		this.fires = fires;
		this.declared = declared;
		this.registry = registry;
		this.json = json;
	}

	@Override
	public ScheduleEntry create(String name, ScheduleSpec spec, String owner) {
		RuntimeScheduleTable.Row row = check(name, spec, owner);
		try {
			RuntimeScheduleTable.Row created = this.table.insert(row);
			logger.info("Schedule {}/{} created: {}", owner, name, spec);
			return entry(created, this.fires.now());
		}
		catch (DuplicateKeyException ex) {
			throw new IllegalArgumentException("A schedule named '" + name + "' exists already; update it, or"
					+ " delete it first", ex);
		}
	}

	@Override
	public Optional<ScheduleEntry> update(String name, ScheduleSpec spec, String owner) {
		RuntimeScheduleTable.Row row = check(name, spec, owner);
		Optional<RuntimeScheduleTable.Row> updated = this.table.update(row);
		updated.ifPresent((schedule) -> logger.info("Schedule {}/{} changed: {}", owner, name, spec));
		Instant now = this.fires.now();
		return updated.map((schedule) -> entry(schedule, now));
	}

	@Override
	public boolean delete(String name, String owner) {
		refuseDeclared(name, "deleted");
		boolean deleted = this.table.delete(owner, name);
		if (deleted) {
			logger.info("Schedule {}/{} deleted", owner, name);
		}
		return deleted;
	}

	@Override
	public boolean pause(String name, String owner) {
		return setPaused(name, owner, true);
	}

	@Override
	public boolean resume(String name, String owner) {
		return setPaused(name, owner, false);
	}

	private boolean setPaused(String name, String owner, boolean paused) {
		if (isDeclared(name)) {
			return this.declared.setPaused(name, paused);
		}
		boolean found = this.table.setPaused(owner, name, paused);
		if (found) {
			logger.info("Schedule {}/{} {} on every node", owner, name, paused ? "paused" : "resumed");
		}
		return found;
	}

	@Override
	public List<ScheduleEntry> list(String owner) {
		List<ScheduleEntry> entries = new ArrayList<>();
		this.declared.list().forEach((info) -> entries.add(entry(info)));
		List<RuntimeScheduleTable.Row> rows = this.table.findByOwner(owner);
		if (!rows.isEmpty()) {
			Instant now = this.fires.now();
			rows.forEach((row) -> entries.add(entry(row, now)));
		}
		return entries;
	}

	@Override
	public Optional<ScheduleEntry> find(String name, String owner) {
		if (isDeclared(name)) {
			return this.declared.list().stream().filter((info) -> info.task().equals(name)).findFirst()
				.map(this::entry);
		}
		return this.table.find(owner, name).map((row) -> entry(row, this.fires.now()));
	}

	@Override
	public List<FireInfo> fires(String name, String owner, int limit) {
		if (isDeclared(name)) {
			return this.declared.fires(name, limit);
		}
		Optional<RuntimeScheduleTable.Row> row = this.table.find(owner, name);
		return this.declared.fires(row.map(RuntimeScheduleTable.Row::key).orElse(name), limit, row.isPresent());
	}

	// Everything create and update refuse, refused before anything is stored.
	private RuntimeScheduleTable.Row check(String name, ScheduleSpec spec, String owner) {
		if (name == null || name.isBlank() || name.length() > MAX_NAME_LENGTH) {
			throw new IllegalArgumentException(
					"Schedule name must be 1 to " + MAX_NAME_LENGTH + " characters, got '" + name + "'");
		}
		if (owner == null || owner.isBlank() || owner.length() > 200) {
			throw new IllegalArgumentException("Owner must be 1 to 200 characters, got '" + owner + "'");
		}
		refuseDeclared(name, "created or changed at run time");
		TaskDefinition task = this.registry.get(spec.task());
		String kind = spec.isCron() ? Recurrence.CRON : Recurrence.EVERY;
		try {
			Recurrence.parse(kind, spec.expression(), spec.zoneId());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("Schedule '" + name + "' cannot be read: " + ex.getMessage(), ex);
		}
		String args;
		if (spec.argsJsonValue() != null) {
			args = this.json.checkArgs(task, spec.argsJsonValue());
		}
		else {
			Object[] values = spec.argValues();
			args = this.json.writeArgs(task, (values != null) ? values : new Object[0]);
		}
		return new RuntimeScheduleTable.Row(0, owner, name, task.name(), kind, spec.expression(), spec.zoneId(), args,
				spec.misfireRule().name(), false, Instant.EPOCH, Instant.EPOCH);
	}

	private void refuseDeclared(String name, String what) {
		if (isDeclared(name)) {
			throw new IllegalArgumentException("Schedule '" + name + "' is declared in code (@PeriodicTask or"
					+ " @CronTask) and cannot be " + what + "; it can be paused");
		}
	}

	private boolean isDeclared(String name) {
		return this.declared.isScheduled(name);
	}

	private ScheduleEntry entry(ScheduleInfo info) {
		Misfire misfire = this.registry.schedules()
			.stream()
			.filter((schedule) -> schedule.taskName().equals(info.task()))
			.map(TaskSchedule::misfire)
			.findFirst()
			.orElse(Misfire.RUN_ONCE);
		return new ScheduleEntry(info.task(), info.task(), info.schedule(), "[]", misfire, true, info.paused(),
				info.lastFire(), info.nextFire());
	}

	// The next fire as the firer will find it: from the last fire, or, never seen, one period
	// after the leader's first look, which is about now.
	private ScheduleEntry entry(RuntimeScheduleTable.Row row, Instant now) {
		Schedule schedule = Recurrence.parse(row.kind(), row.expression(), row.zone());
		Optional<Instant> last = this.fires.lastFire(row.key());
		Instant next = schedule.nextAfter(last.orElse(now));
		Instant lastFired = last.flatMap((anchor) -> this.fires.lastFired(row.key())).orElse(null);
		return new ScheduleEntry(row.name(), row.task(), Recurrence.describe(row.kind(), row.expression(), row.zone()),
				row.args(), Misfire.valueOf(row.misfire()), false, row.paused(), lastFired, next);
	}

}
