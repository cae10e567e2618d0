package dev.autotask;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A periodic or cron task and when it fires.
 *
 * @param task the task's name
 * @param schedule the schedule as written ("every PT10M", "15,30 7 * * MON-FRI Europe/Stockholm")
 * @param lastFire the last fire, run or skipped, or {@code null} if it never fired
 * @param nextFire the next fire; in the past if it is due and about to be fired
 * @param paused whether it is paused on every node: its fires are skipped, not caught up on
 * @see Autotask#schedules()
 * @see Autotask#pauseSchedule(String)
 */
public record ScheduleInfo(String task, String schedule, @Nullable Instant lastFire, Instant nextFire,
		boolean paused) {

}
