package dev.autotask.task;

import org.jspecify.annotations.Nullable;

/**
 * Runs a task's code with its arguments, already read back from JSON into the parameter types.
 */
@FunctionalInterface
public interface TaskInvoker {

	/**
	 * Run the task once.
	 * @param args the arguments, one per declared parameter
	 * @return what the task returned: the result itself, a
	 * {@link dev.autotask.TaskHandle#completed(Object) completed handle} carrying it, or
	 * {@code null}
	 * @throws Exception whatever the task threw, unwrapped from reflection
	 */
	@Nullable Object invoke(@Nullable Object[] args) throws Exception;

}
