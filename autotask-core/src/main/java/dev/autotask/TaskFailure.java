package dev.autotask;

/**
 * Thrown by a task to fail it at once, without further retries.
 *
 * <p>
 * The message becomes the visible result of the failed task, so write it for the person who
 * reads the task's status: "customer 42 has no billing address", not a stack trace. Any other
 * exception is retried with back-off and recorded with its class, message and stack trace.
 */
public class TaskFailure extends RuntimeException {

	/**
	 * Create a failure whose message is shown as the task's result.
	 * @param message what went wrong, for the reader of the task's status
	 */
	public TaskFailure(String message) {
		super(message, null, false, false);
	}

	/**
	 * Create a failure whose message is shown as the task's result, keeping its cause for the
	 * logs.
	 * @param message what went wrong, for the reader of the task's status
	 * @param cause the exception behind it
	 */
	public TaskFailure(String message, Throwable cause) {
		super(message, cause, false, false);
	}

}
