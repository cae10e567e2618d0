package dev.autotask.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean method as a task: calling it on the bean enqueues the call and returns at once;
 * a worker, on any node, runs the method body later with the arguments read back from JSON.
 *
 * <p>
 * The method must be public, not final and not static, on a class that can be subclassed, and
 * return {@code void} or {@link dev.autotask.TaskHandle TaskHandle&lt;R&gt;}; its arguments and
 * result must be writable as JSON. As with {@code @Async}, a call from inside the same bean
 * ({@code this.rebuild(...)}) is not intercepted and runs inline.
 *
 * <pre class="code">
 * &#64;DelayedTask(queue = "reports", retries = 5, ttl = "1h")
 * public TaskHandle&lt;String&gt; rebuild(long customerId) {
 *     ...
 *     return TaskHandle.completed("rebuilt 1,204 rows");
 * }
 * </pre>
 *
 * Durations take Spring Boot's formats: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h},
 * {@code 7d}, or ISO-8601 such as {@code PT10S}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface DelayedTask {

	/**
	 * The task's name, used to start it by name and shown in the admin page. Defaults to
	 * {@code beanName.methodName}. Keep it stable: pending tasks find their method by it.
	 * @return the name, or empty for the default
	 */
	String name() default "";

	/**
	 * The queue the task runs on.
	 * @return the queue name
	 */
	String queue() default "default";

	/**
	 * How long after the call the task may start at the earliest.
	 * @return a duration, or empty to start as soon as a worker is free
	 */
	String delay() default "";

	/**
	 * How many times a failed run is retried, with exponential back-off, before the task fails.
	 * A {@link dev.autotask.TaskFailure} is never retried.
	 * @return the number of retries, zero or more
	 */
	int retries() default 3;

	/**
	 * How long the task's result, error and history are kept after it ends.
	 * @return a duration, or empty for the engine's default ({@code autotask.result-ttl})
	 */
	String ttl() default "";

	/**
	 * How long one attempt may run; an attempt past it is interrupted and counts as failed.
	 * @return a duration, or empty for no limit
	 */
	String timeout() default "";

	/**
	 * Whether a run whose node dies fails the task, rather than being handed back to run
	 * again. Leave it off for tasks that are safe to run twice.
	 * @return whether to fail on node loss
	 */
	boolean failOnNodeLoss() default false;

	/**
	 * Exceptions that fail the task at once, without retries, like
	 * {@link dev.autotask.TaskFailure} (subclasses count too).
	 * @return the exception classes
	 */
	Class<? extends Throwable>[] noRetryFor() default {};

	/**
	 * The parameter whose argument is each run's concurrency key: at most
	 * {@link #concurrencyLimit()} runs with the same key run at once across the cluster, and,
	 * with a {@link #keyRateLimit()}, at most that many start per period; the others wait,
	 * pending, without spending attempts. A string argument is the key as it is; a number or
	 * boolean as written in JSON. A start that gives a key of its own overrides it.
	 * <pre class="code">
	 * &#64;DelayedTask(concurrencyKey = "customerId")   // one sync per customer at a time
	 * public void sync(long customerId) { ... }
	 * </pre>
	 * @return the parameter's name, or empty for no key
	 */
	String concurrencyKey() default "";

	/**
	 * How many runs with the same {@link #concurrencyKey()} may run at once across the cluster:
	 * 1 (a mutex) by default, up to 10,000, or 0 for no limit with a {@link #keyRateLimit()}.
	 * @return the limit
	 */
	int concurrencyLimit() default 1;

	/**
	 * How many runs with the same {@link #concurrencyKey()} may start per period across the
	 * cluster, as {@code starts/period}: {@code "10/1s"}, {@code "1000/1h"}. They start one
	 * every period divided by starts, on the database's clock.
	 * @return the rate, or empty for none
	 */
	String keyRateLimit() default "";

}
