package dev.autotask.internal.engine;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.autotask.FireInfo;
import dev.autotask.ScheduleInfo;
import dev.autotask.TaskStatus;
import dev.autotask.internal.jdbc.FireTable;
import dev.autotask.task.TaskRegistry;
import dev.autotask.task.TaskSchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's periodic and cron tasks as {@code Autotask} shows them: their last and next
 * fire, whether they are paused, and their last fires; and their pause on every node.
 */
final class ScheduleView {

	private static final Logger logger = LoggerFactory.getLogger(ScheduleView.class);

	private final FireTable fires;

	private final TaskRegistry registry;

	ScheduleView(FireTable fires, TaskRegistry registry) {
		this.fires = fires;
		this.registry = registry;
	}

	List<ScheduleInfo> list() {
		if (this.registry.schedules().isEmpty()) {
			return List.of();
		}
		Instant now = this.fires.now();
		Set<String> paused = this.fires.findPaused();
		return this.registry.schedules().stream().map((schedule) -> info(schedule, now, paused)).toList();
	}

	boolean setPaused(String task, boolean paused) {
		if (!isScheduled(task)) {
			return false;
		}
		this.fires.setPaused(task, paused);
		logger.info("Schedule {} {} on every node", task, paused ? "paused" : "resumed");
		return true;
	}

	List<FireInfo> fires(String task, int limit) {
		return fires(task, limit, isScheduled(task));
	}

	/**
	 * The last fires of a schedule, declared or created at run time, by its key in
	 * {@code autotask_fire}.
	 * @param key the schedule's key
	 * @param limit how many, 1 to 100
	 * @param exists whether there is such a schedule: none are read if not
	 * @return the fires, newest first
	 */
	List<FireInfo> fires(String key, int limit, boolean exists) {
		if (limit < 1 || limit > 100) {
			throw new IllegalArgumentException("limit must be between 1 and 100, was " + limit);
		}
		if (!exists) {
			return List.of();
		}
		return this.fires.findFires(key, limit)
			.stream()
			.map((fire) -> new FireInfo(fire.fireAt(), fire.taskId(),
					(fire.status() != null) ? TaskStatus.valueOf(fire.status()) : null))
			.toList();
	}

	/**
	 * Whether a schedule is declared in code for a task.
	 * @param task the task's name
	 * @return whether the registry schedules it
	 */
	boolean isScheduled(String task) {
		return this.registry.schedules().stream().anyMatch((schedule) -> schedule.taskName().equals(task));
	}

	private ScheduleInfo info(TaskSchedule schedule, Instant now, Set<String> paused) {
		Optional<Instant> last = this.fires.lastFire(schedule.taskName());
		Instant next = last.map(schedule.schedule()::nextAfter)
			.orElseGet(() -> schedule.startNow() ? now : schedule.schedule().nextAfter(now));
		// The next fire counts from the mark a new schedule starts from; the last fire shown does not.
		Instant lastFired = last.flatMap((anchor) -> this.fires.lastFired(schedule.taskName())).orElse(null);
		return new ScheduleInfo(schedule.taskName(), schedule.description(), lastFired, next,
				paused.contains(schedule.taskName()));
	}

}
