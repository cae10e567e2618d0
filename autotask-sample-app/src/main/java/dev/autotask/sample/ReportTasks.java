package dev.autotask.sample;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import dev.autotask.TaskContext;
import dev.autotask.TaskFailure;
import dev.autotask.TaskGroup;
import dev.autotask.TaskHandle;
import dev.autotask.annotation.DelayedTask;

import org.springframework.stereotype.Component;

/**
 * The sample's tasks: one that returns a result, one that fails for good, one that fails now
 * and then and is retried. Each refuses arguments it cannot work with by a {@link TaskFailure},
 * which ends it at once; the shop's endpoints check the same before they start one.
 */
@Component
public class ReportTasks {

	/** Most rows a rebuild takes: at a millisecond a row, ten seconds. */
	static final int MAX_ROWS = 10_000;

	// Rows rebuilt between two looks at whether the task was cancelled.
	private static final int ROWS_PER_STEP = 100;

	/**
	 * Rebuild a customer's report, a millisecond a row, so that it is seen RUNNING; stops early
	 * when cancelled. Returns a short summary, as a task result should.
	 * @param customerId the customer
	 * @param rows how many rows to "rebuild", 1 to 10,000
	 * @param context the running task's context, given by the engine
	 * @return the summary
	 */
	@DelayedTask(queue = "reports", retries = 5, ttl = "1h")
	public TaskHandle<String> rebuild(long customerId, int rows, TaskContext context) {
		checkCustomer(customerId);
		checkRows(rows);
		long total = 0;
		for (int done = 0; done < rows; done += ROWS_PER_STEP) {
			if (context.isCancellationRequested()) {
				return TaskHandle.completed("stopped after " + done + " of " + rows + " rows");
			}
			int step = Math.min(ROWS_PER_STEP, rows - done);
			for (int i = done; i < done + step; i++) {
				total += i;
			}
			pretendToWork(Duration.ofMillis(step));
		}
		return TaskHandle.completed("rebuilt " + rows + " rows for customer " + customerId + " (checksum " + total + ")");
	}

	/**
	 * Invoice a customer; customers without a billing address fail at once, without retries.
	 * @param customerId the customer
	 * @return the invoice number
	 */
	@DelayedTask(retries = 3)
	public TaskHandle<String> invoice(long customerId) {
		checkCustomer(customerId);
		if (customerId % 2 == 1) {
			throw new TaskFailure("customer " + customerId + " has no billing address");
		}
		return TaskHandle.completed("INV-" + customerId);
	}

	/**
	 * The callback of a group of invoices, sent with {@code Autotask.sendGroup}: runs once, when
	 * every invoice of the group has ended, with their counts.
	 * @param group the group's final counts
	 * @return a summary
	 */
	@DelayedTask
	public TaskHandle<String> invoicesDone(TaskGroup group) {
		return TaskHandle.completed(group.succeeded() + " of " + group.total() + " invoices sent, " + group.failed()
				+ " failed");
	}

	/**
	 * Call a flaky partner service: fails at random, and is retried with back-off.
	 * @param failureRate the chance that one attempt fails, 0 to 1
	 * @return what the partner said
	 */
	@DelayedTask(retries = 5)
	public TaskHandle<String> syncPartner(double failureRate) {
		checkFailureRate(failureRate);
		if (ThreadLocalRandom.current().nextDouble() < failureRate) {
			throw new IllegalStateException("partner service timed out");
		}
		return TaskHandle.completed("partner in sync");
	}

	/**
	 * Sync a customer with the CRM, reporting progress and stopping early when cancelled.
	 * @param customerId the customer
	 * @param context the running task's context, given by the engine
	 * @return a summary
	 */
	@DelayedTask(queue = "sync", timeout = "5m")
	public TaskHandle<String> syncCustomer(long customerId, TaskContext context) {
		checkCustomer(customerId);
		int pages = 20;
		for (int page = 1; page <= pages; page++) {
			if (context.isCancellationRequested()) {
				return TaskHandle.completed("stopped after " + (page - 1) + " of " + pages + " pages");
			}
			pretendToWork(Duration.ofMillis(200));
			context.reportProgress(page, pages);
		}
		return TaskHandle.completed("customer " + customerId + " synced, " + pages + " pages");
	}

	static void checkCustomer(long customerId) {
		if (customerId < 1) {
			throw new TaskFailure("customerId must be positive, got " + customerId);
		}
	}

	static void checkRows(int rows) {
		if (rows < 1 || rows > MAX_ROWS) {
			throw new TaskFailure("rows must be 1 to " + MAX_ROWS + ", got " + rows);
		}
	}

	static void checkFailureRate(double failureRate) {
		// Written so that NaN fails too.
		if (!(failureRate >= 0 && failureRate <= 1)) {
			throw new TaskFailure("failureRate must be a number from 0 to 1, got " + failureRate);
		}
	}

	private static void pretendToWork(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while rebuilding", ex);
		}
	}

}
