package dev.autotask;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

import dev.autotask.schedule.Misfire;
import org.jspecify.annotations.Nullable;

/**
 * What a schedule created at run time fires and when: a task, a cron expression or a period,
 * the zone a cron expression is read in, the task's arguments and the misfire rule. Immutable:
 * each method returns a new spec.
 * <pre class="code">
 * ScheduleSpec nightly = ScheduleSpec.cron("reports.rebuild", "0 2 * * *").zone("Europe/Stockholm").args(42L);
 * ScheduleSpec often = ScheduleSpec.every("cache.refresh", Duration.ofMinutes(10)).argsJson("{\"region\": \"eu\"}");
 * </pre>
 * Nothing is checked until the spec is given to {@link Schedules#create(String, ScheduleSpec, String)}
 * or {@link Schedules#update(String, ScheduleSpec, String)}, which refuse, naming the problem, an
 * unknown task, a bad cron expression or zone, a period under a second, and arguments that do
 * not fit the task's parameters.
 *
 * @see Schedules
 */
public final class ScheduleSpec {

	/** The zone a cron expression is read in unless one is given. */
	public static final String DEFAULT_ZONE = "UTC";

	private final String task;

	private final boolean cron;

	private final String expression;

	private final String zone;

	private final @Nullable Object @Nullable [] args;

	private final @Nullable String argsJson;

	private final Misfire misfire;

	private ScheduleSpec(String task, boolean cron, String expression, String zone, @Nullable Object @Nullable [] args,
			@Nullable String argsJson, Misfire misfire) {
		this.task = task;
		this.cron = cron;
		this.expression = expression;
		this.zone = zone;
		this.args = args;
		this.argsJson = argsJson;
		this.misfire = misfire;
	}

	/**
	 * Fire a task at the times of a cron expression, read in {@value #DEFAULT_ZONE} unless
	 * {@link #zone(String)} says otherwise.
	 * @param task the registered task's name
	 * @param expression five fields or a macro, as {@link dev.autotask.annotation.CronTask @CronTask}
	 * takes them: {@code "0 7 * * MON-FRI"}, {@code "@daily"}
	 * @return the spec, with no arguments and {@link Misfire#RUN_ONCE}
	 */
	public static ScheduleSpec cron(String task, String expression) {
		return new ScheduleSpec(Objects.requireNonNull(task, "task"), true,
				Objects.requireNonNull(expression, "expression"), DEFAULT_ZONE, null, null, Misfire.RUN_ONCE);
	}

	/**
	 * Fire a task every period, counted from when the schedule is first seen by the leader.
	 * @param task the registered task's name
	 * @param period the time between fires, at least a second
	 * @return the spec, with no arguments and {@link Misfire#RUN_ONCE}
	 */
	public static ScheduleSpec every(String task, Duration period) {
		return new ScheduleSpec(Objects.requireNonNull(task, "task"), false,
				Objects.requireNonNull(period, "period").toString(), DEFAULT_ZONE, null, null, Misfire.RUN_ONCE);
	}

	/**
	 * A copy whose cron expression is read in another zone.
	 * @param zone a zone id such as {@code Europe/Stockholm}
	 * @return the copy
	 */
	public ScheduleSpec zone(String zone) {
		return new ScheduleSpec(this.task, this.cron, this.expression, Objects.requireNonNull(zone, "zone"),
				this.args, this.argsJson, this.misfire);
	}

	/**
	 * A copy that gives the task these arguments on every fire, as
	 * {@link Autotask#send(String, String, Object...)} would.
	 * @param args the arguments, in the order of the task method's parameters
	 * @return the copy
	 */
	public ScheduleSpec args(@Nullable Object... args) {
		return new ScheduleSpec(this.task, this.cron, this.expression, this.zone,
				(args != null) ? args.clone() : new Object[] { null }, null, this.misfire);
	}

	/**
	 * A copy that gives the task arguments written as JSON, as
	 * {@link Autotask#sendJson(String, SendOptions, String)} takes them.
	 * @param argsJson a JSON array (by position) or object (by parameter name)
	 * @return the copy
	 */
	public ScheduleSpec argsJson(String argsJson) {
		return new ScheduleSpec(this.task, this.cron, this.expression, this.zone, null,
				Objects.requireNonNull(argsJson, "argsJson"), this.misfire);
	}

	/**
	 * A copy with another rule for fires missed while no node was up.
	 * @param misfire the rule
	 * @return the copy
	 */
	public ScheduleSpec misfire(Misfire misfire) {
		return new ScheduleSpec(this.task, this.cron, this.expression, this.zone, this.args, this.argsJson,
				Objects.requireNonNull(misfire, "misfire"));
	}

	/**
	 * The task it fires.
	 * @return the task's name
	 */
	public String task() {
		return this.task;
	}

	/**
	 * Whether it is a cron expression rather than a period.
	 * @return {@code true} for {@link #cron(String, String)}
	 */
	public boolean isCron() {
		return this.cron;
	}

	/**
	 * The cron expression, or the period as an ISO-8601 duration ({@code PT10M}).
	 * @return the expression
	 */
	public String expression() {
		return this.expression;
	}

	/**
	 * The zone a cron expression is read in.
	 * @return the zone id
	 */
	public String zoneId() {
		return this.zone;
	}

	/**
	 * The arguments given as values, if they were.
	 * @return a copy of them, or {@code null} if given as JSON or not at all
	 */
	public @Nullable Object @Nullable [] argValues() {
		return (this.args != null) ? this.args.clone() : null;
	}

	/**
	 * The arguments given as JSON, if they were.
	 * @return the JSON, or {@code null} if given as values or not at all
	 */
	public @Nullable String argsJsonValue() {
		return this.argsJson;
	}

	/**
	 * The rule for missed fires.
	 * @return the rule
	 */
	public Misfire misfireRule() {
		return this.misfire;
	}

	@Override
	public String toString() {
		String args = (this.argsJson != null) ? this.argsJson : Arrays.toString(this.args);
		return (this.cron ? "cron '" + this.expression + "' in " + this.zone : "every " + this.expression) + " of "
				+ this.task + " with " + args;
	}

}
