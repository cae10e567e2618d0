package dev.autotask;

import java.time.Instant;

import dev.autotask.schedule.Misfire;
import org.jspecify.annotations.Nullable;

/**
 * One schedule as {@link Schedules} lists it: created at run time by an owner, or declared with
 * {@link dev.autotask.annotation.PeriodicTask @PeriodicTask} or
 * {@link dev.autotask.annotation.CronTask @CronTask} (which every owner sees, may pause, and
 * none may change or delete).
 *
 * @param name its name: a runtime schedule's own, or a declared one's task name
 * @param task the task it fires
 * @param schedule when, as written ("every PT10M", "0 7 * * MON-FRI Europe/Stockholm")
 * @param args the arguments each fire gives the task, a JSON array
 * @param misfire what it does about fires missed while no node was up
 * @param declared whether it is declared in code rather than created at run time
 * @param paused whether it is paused on every node: its fires are skipped, not caught up on
 * @param lastFire the last fire, run or skipped, or {@code null} if it never fired
 * @param nextFire the next fire; in the past if it is due and about to be fired
 * @see Schedules#list(String)
 */
public record ScheduleEntry(String name, String task, String schedule, String args, Misfire misfire,
		boolean declared, boolean paused, @Nullable Instant lastFire, Instant nextFire) {

}
