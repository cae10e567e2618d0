package dev.autotask;

import org.jspecify.annotations.Nullable;

/**
 * A group of tasks started together with a callback task that runs once, when every member has
 * ended ({@link Autotask#sendGroup}): how many members there are and how many ended how. The
 * callback task takes one parameter of this type, with the final counts.
 *
 * <pre class="code">
 * &#64;DelayedTask(name = "imports.done")
 * public void importsDone(TaskGroup group) {
 *     log.info("import {}: {} of {} rows imported, {} failed", group.id(), group.succeeded(), group.total(), group.failed());
 * }
 * </pre>
 *
 * @param id the group's id
 * @param total how many tasks the group has
 * @param succeeded how many ended {@code SUCCESS}
 * @param failed how many ended {@code FAILURE}
 * @param cancelled how many ended {@code CANCELLED}, or were deleted before they ended
 * @param callbackTaskId the callback task, once enqueued; {@code null} before, and in the
 * callback's own argument
 */
public record TaskGroup(long id, int total, int succeeded, int failed, int cancelled, @Nullable Long callbackTaskId) {

	/**
	 * How many members have ended.
	 * @return the ended members
	 */
	public int ended() {
		return this.succeeded + this.failed + this.cancelled;
	}

	/**
	 * Whether every member has ended, and so the callback is enqueued.
	 * @return whether the group is done
	 */
	public boolean done() {
		return ended() == this.total;
	}

}
