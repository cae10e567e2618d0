package dev.autotask.sample;

import dev.autotask.TaskContext;
import dev.autotask.TaskFailure;
import dev.autotask.TaskHandle;
import dev.autotask.annotation.DelayedTask;

import org.springframework.stereotype.Component;

/**
 * The sample's long-running tasks: one that walks a large range in chunks, one that continues
 * itself page by page.
 */
@Component
public class CatalogTasks {

	/** Largest bound the count takes: a thousand chunks, a few minutes on one worker. */
	static final long MAX_BELOW = 100_000_000;

	/** Most pages a feed has. */
	static final int MAX_PAGES = 20;

	private static final long CHUNK = 100_000;

	/**
	 * Count the primes below a bound, 100,000 numbers per execution: an iterative task, whose
	 * cursor (where it is, and the count so far) is saved after each chunk.
	 * @param below the bound, 2 to 100,000,000
	 * @param context the running task's context
	 * @return the count
	 * @throws Exception never, in practice
	 */
	@DelayedTask(queue = "reports", retries = 3)
	public TaskHandle<Long> countPrimes(long below, TaskContext context) throws Exception {
		checkBelow(below);
		Cursor[] last = new Cursor[1];
		context.iterate(Cursor.class, new Cursor(2, 0), (cursor) -> {
			long end = Math.min(below, cursor.next() + CHUNK);
			long primes = cursor.primes();
			for (long n = cursor.next(); n < end; n++) {
				primes += isPrime(n) ? 1 : 0;
			}
			last[0] = new Cursor(end, primes);
			return (end >= below) ? null : last[0];
		});
		return TaskHandle.completed((last[0] != null) ? last[0].primes() : null);
	}

	/**
	 * Import a feed page by page: each page is its own task, continuing the chain.
	 * @param page the page to import
	 * @param pages how many pages the feed has, 1 to 20
	 * @param context the running task's context
	 * @return what was imported
	 */
	@DelayedTask
	public TaskHandle<String> importFeed(int page, int pages, TaskContext context) {
		checkPages(pages);
		if (page < 1 || page > pages) {
			throw new TaskFailure("page must be 1 to " + pages + ", got " + page);
		}
		if (page < pages) {
			throw context.repeat(page + 1, pages);
		}
		return TaskHandle.completed("imported " + pages + " pages");
	}

	static void checkBelow(long below) {
		if (below < 2 || below > MAX_BELOW) {
			throw new TaskFailure("below must be 2 to " + MAX_BELOW + ", got " + below);
		}
	}

	static void checkPages(int pages) {
		if (pages < 1 || pages > MAX_PAGES) {
			throw new TaskFailure("pages must be 1 to " + MAX_PAGES + ", got " + pages);
		}
	}

	private static boolean isPrime(long n) {
		if (n < 2) {
			return false;
		}
		for (long d = 2; d * d <= n; d++) {
			if (n % d == 0) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Where the count stands.
	 *
	 * @param next the next number to test
	 * @param primes primes found below it
	 */
	public record Cursor(long next, long primes) {
	}

}
