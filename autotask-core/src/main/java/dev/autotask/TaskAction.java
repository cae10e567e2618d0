package dev.autotask;

import java.util.Set;

/**
 * What an operator does to tasks, one or all that a query matches: each applies to tasks in some
 * statuses and leaves the others alone.
 *
 * @see Autotask#bulk(TaskAction, TaskQuery, String)
 */
public enum TaskAction {

	/**
	 * Give a failed or cancelled task one more attempt, now, under the same id; its history and
	 * its last error stay until the new attempt ends.
	 */
	RETRY(Set.of(TaskStatus.FAILURE, TaskStatus.CANCELLED)),

	/**
	 * Make a pending task that waits for its time (delayed, or backing off before a retry) due
	 * now.
	 */
	RUN_NOW(Set.of(TaskStatus.PENDING)),

	/**
	 * Cancel a pending task, or ask a running one to stop (see
	 * {@link Autotask#cancel(long, String)}).
	 */
	CANCEL(Set.of(TaskStatus.PENDING, TaskStatus.RUNNING)),

	/**
	 * Delete a task that does not run, with its result and error.
	 */
	DELETE(Set.of(TaskStatus.PENDING, TaskStatus.SUCCESS, TaskStatus.FAILURE, TaskStatus.CANCELLED));

	private final Set<TaskStatus> appliesTo;

	TaskAction(Set<TaskStatus> appliesTo) {
		this.appliesTo = appliesTo;
	}

	/**
	 * The statuses of the tasks this action changes.
	 * @return the statuses
	 */
	public Set<TaskStatus> appliesTo() {
		return this.appliesTo;
	}

}
