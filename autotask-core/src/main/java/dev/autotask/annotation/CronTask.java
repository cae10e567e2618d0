package dev.autotask.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.DayOfWeek;

import dev.autotask.schedule.Misfire;

/**
 * Marks a bean method, with no parameters, to run on a cron schedule on one node of the
 * application.
 *
 * <p>
 * Either a standard five-field cron string (minute, hour, day of month, month, day of week;
 * 0 or 7 is Sunday; {@code @daily} and the other macros), or separate fields in the manner of
 * Django autotask, with days of the week as {@link DayOfWeek} so that nobody wonders whether 0
 * is Sunday or Monday:
 *
 * <pre class="code">
 * &#64;CronTask(value = "15,30 7 * * MON-FRI", zone = "Europe/Stockholm")
 * void morningDigest() { ... }
 *
 * &#64;CronTask(hours = "7", minutes = "15,30", daysOfWeek = { MONDAY, FRIDAY })
 * void twiceAWeek() { ... }
 * </pre>
 *
 * With separate fields, a field left out matches every value, except {@link #minutes()},
 * which defaults to {@code 0}: {@code hours = "7"} runs at 07:00, not every minute of that
 * hour. If both day of month and day of week are restricted, a day matching either runs, as in
 * Vixie cron. A wall-clock time skipped by a daylight-saving change runs at the end of the gap;
 * one that occurs twice runs once. A bad expression fails the start-up, naming the task, the
 * field and the value.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface CronTask {

	/**
	 * The cron expression; leave empty to use the separate fields.
	 * @return the expression
	 */
	String value() default "";

	/**
	 * The minutes, as a cron field.
	 * @return the minutes, or empty for the default ({@code 0})
	 */
	String minutes() default "";

	/**
	 * The hours, as a cron field.
	 * @return the hours, or empty for every hour
	 */
	String hours() default "";

	/**
	 * The days of the month, as a cron field.
	 * @return the days, or empty for every day
	 */
	String daysOfMonth() default "";

	/**
	 * The months, as a cron field (numbers or names).
	 * @return the months, or empty for every month
	 */
	String months() default "";

	/**
	 * The days of the week.
	 * @return the days, or empty for every day
	 */
	DayOfWeek[] daysOfWeek() default {};

	/**
	 * The time zone the fields are read in.
	 * @return a zone id such as {@code Europe/Stockholm}, or empty for the JVM's default zone
	 */
	String zone() default "";

	/**
	 * The task's name. Defaults to {@code beanName.methodName}.
	 * @return the name, or empty for the default
	 */
	String name() default "";

	/**
	 * The queue its runs go on.
	 * @return the queue
	 */
	String queue() default "default";

	/**
	 * How many times a failed run is retried before the next fire.
	 * @return the retries
	 */
	int retries() default 0;

	/**
	 * How long each run's outcome is kept.
	 * @return a duration, or empty for the engine's default
	 */
	String ttl() default "";

	/**
	 * How long one run may take before it counts as failed.
	 * @return a duration, or empty for no limit
	 */
	String timeout() default "";

	/**
	 * What to do about fires missed while no node was up.
	 * @return the misfire policy
	 */
	Misfire misfire() default Misfire.RUN_ONCE;

}
