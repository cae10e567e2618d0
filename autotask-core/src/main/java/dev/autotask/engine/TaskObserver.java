package dev.autotask.engine;

import java.time.Duration;
import java.util.List;

/**
 * Told what happens to tasks, for metrics and logging. Every method has a no-op default, so an
 * observer implements only what it needs.
 *
 * <p>
 * Calls are made on the thread that did the work (the caller's for {@link #enqueued}, the
 * worker's or the watchdog's for the others), after the statement that recorded it. An
 * exception thrown by an observer is logged and otherwise ignored: it never changes a task's
 * outcome. Observers must be thread-safe and quick.
 */
public interface TaskObserver {

	/** An observer that does nothing. */
	TaskObserver NONE = new TaskObserver() {
	};

	/**
	 * One observer that tells each of the given ones in turn.
	 * @param observers the observers
	 * @return an observer telling them all; {@link #NONE} if there are none
	 */
	static TaskObserver all(List<? extends TaskObserver> observers) {
		if (observers.isEmpty()) {
			return NONE;
		}
		if (observers.size() == 1) {
			return observers.get(0);
		}
		List<TaskObserver> copy = List.copyOf(observers);
		return new TaskObserver() {

			@Override
			public void enqueued(String task, String queue) {
				copy.forEach((observer) -> observer.enqueued(task, queue));
			}

			@Override
			public void started(String task, String queue, Duration lag) {
				copy.forEach((observer) -> observer.started(task, queue, lag));
			}

			@Override
			public void ended(String task, String queue, Outcome outcome, Duration runTime) {
				copy.forEach((observer) -> observer.ended(task, queue, outcome, runTime));
			}

		};
	}

	/**
	 * A new task was inserted (not a call that found a pending task of the same unique key). It
	 * is called inside the caller's transaction, if any, so it also counts tasks whose
	 * transaction later rolls back.
	 * @param task the task's name
	 * @param queue its queue
	 */
	default void enqueued(String task, String queue) {
	}

	/**
	 * A worker started an attempt of a task.
	 * @param task the task's name
	 * @param queue its queue
	 * @param lag how long after its earliest start ({@code run_at}) the attempt started, on the
	 * database clock; never negative
	 */
	default void started(String task, String queue, Duration lag) {
	}

	/**
	 * An attempt ended and its outcome was recorded. Attempts whose outcome could not be
	 * recorded, that snoozed, or that were handed back on shutdown are not reported; a snooze or
	 * a continuation that ended the task because a cancel was requested is, as
	 * {@link Outcome#CANCELLED}.
	 * @param task the task's name
	 * @param queue its queue
	 * @param outcome how it ended
	 * @param runTime how long the attempt ran on this node
	 */
	default void ended(String task, String queue, Outcome outcome, Duration runTime) {
	}

	/**
	 * How an attempt ended.
	 */
	enum Outcome {

		/** The task succeeded. */
		SUCCESS,

		/** The task failed for good: no retry is left, or the failure is not retried. */
		FAILURE,

		/** The attempt failed and the task waits for another. */
		RETRY,

		/** The task stopped because a cancel was requested for it. */
		CANCELLED

	}

}
