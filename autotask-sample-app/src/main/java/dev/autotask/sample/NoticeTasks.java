package dev.autotask.sample;

import dev.autotask.TaskContext;
import dev.autotask.TaskFailure;
import dev.autotask.TaskHandle;
import dev.autotask.annotation.DelayedTask;

import org.springframework.stereotype.Component;

/**
 * A task meant to be started from the admin page: it posts a notice to the shop's staff, as
 * the user it was started as (the admin, or the {@code reporting-bot} service user).
 */
@Component
public class NoticeTasks {

	/**
	 * Post a notice.
	 * @param message the notice's text
	 * @param context the task's context, for the user it was started as
	 * @return what was posted, and as whom
	 */
	@DelayedTask(retries = 0)
	public TaskHandle<String> post(String message, TaskContext context) {
		if (message.isBlank()) {
			throw new TaskFailure("a notice needs a message");
		}
		String as = (context.startedBy() != null) ? context.startedBy() : "the shop";
		return TaskHandle.completed("posted '" + message + "' as " + as);
	}

}
