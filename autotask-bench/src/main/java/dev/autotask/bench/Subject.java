package dev.autotask.bench;

import java.time.Duration;

/**
 * One library under test, in a schema of its own, running no-op tasks. The benchmark times the
 * enqueue methods from outside; drain and latency time themselves, since only the subject knows
 * when its engine has started and when its last task is recorded as done.
 */
interface Subject extends AutoCloseable {

	/** How long any one measurement may take before the run gives up on it (a 1M drain is long). */
	Duration TIMEOUT = Duration.ofMinutes(60);

	/**
	 * The name the result table shows.
	 * @return the name
	 */
	String name();

	/**
	 * Insert due no-op tasks straight into the library's table with one
	 * {@code INSERT ... SELECT generate_series}, bypassing its API.
	 * @param count how many
	 */
	void preload(int count);

	/**
	 * Start the engine on the preloaded tasks and stop it once all of them are done.
	 * @param count how many were preloaded
	 * @return the time from start until the last task was recorded as done
	 * @throws InterruptedException if interrupted while waiting
	 */
	Duration drain(int count) throws InterruptedException;

	/**
	 * Enqueue tasks one at a time from this thread, each in its own transaction, with no engine
	 * running.
	 * @param count how many
	 */
	void enqueueOneByOne(int count);

	/**
	 * Enqueue tasks through the library's batch path, with no engine running.
	 * @param count how many in all
	 * @param batchSize how many per batch
	 */
	void enqueueBatches(int count, int batchSize);

	/**
	 * On an idle engine, enqueue tasks one by one from another connection, {@code gap} apart, and
	 * record when each starts.
	 * @param count how many
	 * @param gap the pause between two enqueues
	 * @return the enqueue-to-start times
	 * @throws InterruptedException if interrupted while waiting
	 */
	Latencies latency(int count, Duration gap) throws InterruptedException;

	/**
	 * Empty the library's tables, so that each measurement starts from the same state.
	 */
	void clear();

	/**
	 * Close the pools and drop the schema.
	 */
	@Override
	void close();

}
