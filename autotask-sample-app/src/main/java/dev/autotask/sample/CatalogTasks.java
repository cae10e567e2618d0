package dev.autotask.sample;

import dev.autotask.TaskContext;
import dev.autotask.TaskHandle;
import dev.autotask.annotation.DelayedTask;

import org.springframework.stereotype.Component;

/**
 * The sample's long-running tasks: one that walks a large range in chunks, one that continues
 * itself page by page.
 */
@Component
public class CatalogTasks {

	private static final long CHUNK = 100_000;

	/**
	 * Count the primes below a bound, 100,000 numbers per execution: an iterative task, whose
	 * cursor (where it is, and the count so far) is saved after each chunk.
	 * @param below the bound
	 * @param context the running task's context
	 * @return the count
	 * @throws Exception never, in practice
	 */
	@DelayedTask(queue = "reports", retries = 3)
	public TaskHandle<Long> countPrimes(long below, TaskContext context) throws Exception {
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
	 * @param pages how many pages the feed has
	 * @param context the running task's context
	 * @return what was imported
	 */
	@DelayedTask
	public TaskHandle<String> importFeed(int page, int pages, TaskContext context) {
		if (page < pages) {
			throw context.repeat(page + 1, pages);
		}
		return TaskHandle.completed("imported " + pages + " pages");
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
