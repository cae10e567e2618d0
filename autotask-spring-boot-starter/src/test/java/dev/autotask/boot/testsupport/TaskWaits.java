package dev.autotask.boot.testsupport;

import java.time.Duration;

import dev.autotask.TaskHandle;
import dev.autotask.testsupport.TaskRows;

import static org.awaitility.Awaitility.await;

/**
 * Waits for a task the application under test runs: until it has ended, or until its row has a
 * status. Each gives the task ten seconds, time enough for an engine that is told of new tasks
 * at once, whatever its poll interval.
 */
public final class TaskWaits {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private TaskWaits() {
	}

	/**
	 * Waits until the task of a handle has ended, and refreshes the handle with its outcome.
	 * @param <R> the task's result type
	 * @param handle the handle
	 * @return the handle, refreshed
	 */
	public static <R> TaskHandle<R> awaitEnd(TaskHandle<R> handle) {
		await().atMost(TIMEOUT).until(() -> handle.refresh().isReady());
		return handle;
	}

	/**
	 * Waits until a task's row has a status.
	 * @param rows the task table of the application's schema
	 * @param id the task
	 * @param status the status, as stored
	 */
	public static void awaitStatus(TaskRows rows, long id, String status) {
		await().atMost(TIMEOUT).until(() -> status.equals(rows.column(id, "status")));
	}

}
