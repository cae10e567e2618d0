package dev.autotask.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Sends tasks from several threads at once, as the producers of a busy application do, for the
 * load tests.
 */
public final class Producers {

	private Producers() {
	}

	/**
	 * Send tasks numbered 0 to {@code tasks - 1}, each thread every {@code producers}-th of them,
	 * and wait until all are sent.
	 * @param producers how many threads send
	 * @param tasks how many tasks are sent
	 * @param limit how long each thread may take
	 * @param send what sends task number {@code n}
	 * @throws Exception if a thread failed or took too long
	 */
	public static void send(int producers, int tasks, Duration limit, IntConsumer send) throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(producers);
		try {
			List<Future<?>> sent = new ArrayList<>();
			for (int p = 0; p < producers; p++) {
				int producer = p;
				sent.add(executor.submit(() -> {
					for (int n = producer; n < tasks; n += producers) {
						send.accept(n);
					}
				}));
			}
			for (Future<?> future : sent) {
				future.get(limit.toSeconds(), TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdown();
		}
	}

}
