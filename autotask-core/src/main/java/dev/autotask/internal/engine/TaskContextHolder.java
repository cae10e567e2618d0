package dev.autotask.internal.engine;

import java.util.Optional;

import dev.autotask.TaskContext;
import org.jspecify.annotations.Nullable;

/**
 * Holds the context of the task running on the current thread. Set by the engine around each
 * run; applications read it through {@link TaskContext#current()}.
 */
public final class TaskContextHolder {

	private static final ThreadLocal<@Nullable TaskContext> CURRENT = new ThreadLocal<>();

	private TaskContextHolder() {
	}

	/**
	 * The context of the task running on this thread.
	 * @return the context, or empty outside a task
	 */
	public static Optional<TaskContext> current() {
		return Optional.ofNullable(CURRENT.get());
	}

	/**
	 * Set the context of the task about to run on this thread, or clear it. For the engine.
	 * @param context the context, or {@code null} to clear
	 */
	public static void set(@Nullable TaskContext context) {
		if (context == null) {
			CURRENT.remove();
		}
		else {
			CURRENT.set(context);
		}
	}

}
