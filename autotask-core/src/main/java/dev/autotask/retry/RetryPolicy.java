package dev.autotask.retry;

import java.time.Duration;

/**
 * Decides how long to wait before the next attempt of a failed task.
 *
 * @see ExponentialBackoff
 */
@FunctionalInterface
public interface RetryPolicy {

	/**
	 * The wait before the next attempt.
	 * @param failedAttempt the attempt that just failed, counting from 1
	 * @return how long to wait, never negative
	 */
	Duration delayAfter(int failedAttempt);

}
