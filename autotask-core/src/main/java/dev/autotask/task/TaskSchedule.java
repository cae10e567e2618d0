package dev.autotask.task;

import dev.autotask.schedule.Misfire;
import dev.autotask.schedule.Schedule;

/**
 * When a registered task fires by itself: a periodic or cron task.
 *
 * @param taskName the task it enqueues, registered with no parameters
 * @param schedule when it fires
 * @param startNow whether a schedule seen for the first time fires at once rather than one
 * period later
 * @param misfire what to do about fires missed while no node was up
 * @param description how to show the schedule ("every 10m", "15,30 7 * * MON-FRI Europe/Stockholm")
 */
public record TaskSchedule(String taskName, Schedule schedule, boolean startNow, Misfire misfire,
		String description) {

}
