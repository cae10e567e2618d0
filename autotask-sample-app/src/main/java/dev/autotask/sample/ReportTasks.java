package dev.autotask.sample;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import dev.autotask.TaskContext;
import dev.autotask.TaskFailure;
import dev.autotask.TaskHandle;
import dev.autotask.annotation.DelayedTask;

import org.springframework.stereotype.Component;

/**
 * The sample's tasks: one that returns a result, one that fails for good, one that fails now
 * and then and is retried.
 */
@Component
public class ReportTasks {

	/**
	 * Rebuild a customer's report, a millisecond a row, so that it is seen RUNNING. Returns a
	 * short summary, as a task result should.
	 * @param customerId the customer
	 * @param rows how many rows to "rebuild"
	 * @return the summary
	 */
	@DelayedTask(queue = "reports", retries = 5, ttl = "1h")
	public TaskHandle<String> rebuild(long customerId, int rows) {
		long total = 0;
		for (int i = 0; i < rows; i++) {
			total += i;
		}
		pretendToWork(Duration.ofMillis(rows));
		return TaskHandle.completed("rebuilt " + rows + " rows for customer " + customerId + " (checksum " + total + ")");
	}

	/**
	 * Invoice a customer; customers without a billing address fail at once, without retries.
	 * @param customerId the customer
	 * @return the invoice number
	 */
	@DelayedTask(retries = 3)
	public TaskHandle<String> invoice(long customerId) {
		if (customerId % 2 == 1) {
			throw new TaskFailure("customer " + customerId + " has no billing address");
		}
		return TaskHandle.completed("INV-" + customerId);
	}

	/**
	 * Call a flaky partner service: fails at random, and is retried with back-off.
	 * @param failureRate the chance that one attempt fails, 0 to 1
	 * @return what the partner said
	 */
	@DelayedTask(retries = 5)
	public TaskHandle<String> syncPartner(double failureRate) {
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
