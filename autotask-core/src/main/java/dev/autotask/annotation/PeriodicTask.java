package dev.autotask.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.autotask.schedule.Misfire;

/**
 * Marks a bean method, with no parameters, to run every {@link #every()} on one node of the
 * application (the leader fires it; any node may run it).
 *
 * <p>
 * A fire is skipped while the previous run is still pending or running, so slow runs never
 * pile up. The method may return a value or a {@link dev.autotask.TaskHandle}, kept as the
 * run's result.
 *
 * <pre class="code">
 * &#64;PeriodicTask(every = "10m", startNow = true)
 * void refreshRates() { ... }
 * </pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface PeriodicTask {

	/**
	 * The period, in Spring Boot's duration format ({@code 30s}, {@code 10m}, {@code PT1H}), at
	 * least one second.
	 * @return the period
	 */
	String every();

	/**
	 * Whether to run once as soon as the application is first up, rather than one period later.
	 * @return whether to start now
	 */
	boolean startNow() default false;

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
