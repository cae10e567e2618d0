package dev.autotask;

import java.util.List;
import java.util.Optional;

/**
 * Schedules created, changed and deleted at run time, each owned by one owner (application or
 * tenant) who alone sees and changes it, next to the schedules declared with
 * {@link dev.autotask.annotation.PeriodicTask @PeriodicTask} and
 * {@link dev.autotask.annotation.CronTask @CronTask}. Obtained from
 * {@link Autotask#runtimeSchedules()}:
 * <pre class="code">
 * Schedules schedules = autotask.runtimeSchedules();
 * ScheduleSpec nightly = ScheduleSpec.cron("reports.rebuild", "0 2 * * *").zone("Europe/Stockholm").args(42L);
 * schedules.create("nightly-report", nightly, "tenant-7");
 * schedules.pause("nightly-report", "tenant-7");
 * schedules.delete("nightly-report", "tenant-7");
 * </pre>
 *
 * <p>
 * They are stored in the database and fired by the leader exactly as declared ones are: once
 * per fire time across every node and change of leader, missed fires run once or skipped per
 * {@link dev.autotask.schedule.Misfire}, a fire skipped while the previous run of the same
 * schedule is still pending or running. Each fire enqueues the task with the schedule's
 * arguments, as its owner. The leader reads them on each tick: a create, change or delete on
 * any node counts from the next tick, without a restart. A new schedule counts from when the
 * leader first sees it.
 *
 * <p>
 * For another owner, a schedule is "not found", exactly like a name that was never used.
 * Declared schedules are in every owner's list; they can be paused and resumed, on every node
 * and for every owner, but not changed or deleted.
 */
public interface Schedules {

	/**
	 * Create a schedule.
	 * @param name its name, 1 to 200 characters, unique among the owner's schedules
	 * @param spec the task, when, and the arguments
	 * @param owner who owns it and the tasks it enqueues
	 * @return the schedule as stored
	 * @throws IllegalArgumentException naming the problem, with nothing stored: a bad name or
	 * owner, a name the owner already uses or that a declared schedule has, an unknown task, a
	 * bad cron expression or unknown zone, a period under a second, arguments that do not fit
	 */
	ScheduleEntry create(String name, ScheduleSpec spec, String owner);

	/**
	 * Change what a schedule fires and when. Its pause and its fires so far stay: it goes on
	 * from its last fire by the new timing.
	 * @param name the schedule's name
	 * @param spec the task, when, and the arguments
	 * @param owner the owner asking
	 * @return the schedule as stored, or empty if the owner has no schedule of that name
	 * @throws IllegalArgumentException as for {@link #create(String, ScheduleSpec, String)}, or
	 * if the name is a declared schedule's
	 */
	Optional<ScheduleEntry> update(String name, ScheduleSpec spec, String owner);

	/**
	 * Delete a schedule: it fires no more. Tasks it already enqueued go on.
	 * @param name the schedule's name
	 * @param owner the owner asking
	 * @return whether it existed
	 * @throws IllegalArgumentException if the name is a declared schedule's (pause it instead)
	 */
	boolean delete(String name, String owner);

	/**
	 * Pause a schedule on every node: until it is resumed, its fires are recorded as skipped
	 * and enqueue nothing, so that resuming it does not catch up on them.
	 * @param name the schedule's name, or a declared schedule's task name
	 * @param owner the owner asking
	 * @return whether it is paused now; {@code false} if the owner has no schedule of that
	 * name and none is declared so
	 * @see Autotask#pauseSchedule(String)
	 */
	boolean pause(String name, String owner);

	/**
	 * Resume a paused schedule on every node, from its next fire.
	 * @param name the schedule's name, or a declared schedule's task name
	 * @param owner the owner asking
	 * @return whether it runs now; {@code false} if there is no such schedule
	 */
	boolean resume(String name, String owner);

	/**
	 * The declared schedules and the owner's runtime ones, with their last and next fire.
	 * @param owner the owner asking
	 * @return the schedules, the declared first, each part ordered by name
	 */
	List<ScheduleEntry> list(String owner);

	/**
	 * Find one schedule.
	 * @param name the schedule's name, or a declared schedule's task name
	 * @param owner the owner asking
	 * @return the schedule, or empty if there is no such schedule for that owner
	 */
	Optional<ScheduleEntry> find(String name, String owner);

	/**
	 * The last fires of a schedule, newest first, with the task each enqueued.
	 * @param name the schedule's name, or a declared schedule's task name
	 * @param owner the owner asking
	 * @param limit how many, 1 to 100
	 * @return the fires; empty if it never fired or there is no such schedule for that owner
	 * @throws IllegalArgumentException if the limit is out of range
	 */
	List<FireInfo> fires(String name, String owner, int limit);

}
