package dev.autotask;

/**
 * Where a task is in its life.
 *
 * <p>
 * {@code PENDING → RUNNING → SUCCESS | FAILURE}, back to {@code PENDING} between retries, and
 * {@code CANCELLED} for a task cancelled before it ran, or one that stopped because a cancel was
 * requested while it ran. The names map to Django autotask's
 * WAITING/RUNNING/DONE/ERROR and Lime Task's PENDING/STARTED/SUCCESS/FAILURE.
 *
 * @see TaskInfo#status()
 */
public enum TaskStatus {

	/** Waiting to run: for its start time, a free worker, or its next retry. */
	PENDING,

	/** Claimed by a worker and running now. */
	RUNNING,

	/** Ended normally; the result is kept for the task's TTL. */
	SUCCESS,

	/** Ended in failure: out of retries, or stopped by a {@link TaskFailure}. */
	FAILURE,

	/**
	 * Cancelled: before it ran, or while it ran, when it stopped because it was asked to (it
	 * returned or threw after {@link TaskContext#isCancellationRequested()} said so, or its
	 * chain or walk was to go on). Its progress is kept.
	 */
	CANCELLED;

	/**
	 * Whether the task has ended and will not change again.
	 * @return {@code true} for {@link #SUCCESS}, {@link #FAILURE} and {@link #CANCELLED}
	 */
	public boolean isCompleted() {
		return (this == SUCCESS || this == FAILURE || this == CANCELLED);
	}

}
