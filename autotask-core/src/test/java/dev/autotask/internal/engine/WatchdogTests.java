package dev.autotask.internal.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.autotask.internal.jdbc.TaskRow;
import dev.autotask.internal.json.TaskJson;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Watchdog}: whoever ends an attempt first, the task or the watchdog, says how
 * it ended, and only once.
 */
class WatchdogTests {

	private static final TaskRow ROW = new TaskRow(7, "work", "default", "owner", "RUNNING", "[]", 2, 4,
			Instant.EPOCH, Instant.EPOCH, Instant.EPOCH, null, null, null, null, null, 0, null, null, null, null);

	private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();

	private final Watchdog watchdog = new Watchdog(this.executor,
			new TaskObservations(ObservationRegistry.NOOP, new TaskJson()));

	private final AtomicInteger timeouts = new AtomicInteger();

	@AfterEach
	void shutDown() throws InterruptedException {
		Thread.interrupted();
		this.executor.shutdownNow();
		this.executor.awaitTermination(5, TimeUnit.SECONDS);
	}

	@Test
	void attemptWithoutTimeoutIsEndedByTheTask() {
		Watchdog.Deadline deadline = this.watchdog.start(ROW, null, (timeout) -> this.timeouts.incrementAndGet());

		assertThat(deadline.end()).isTrue();
		assertThat(this.timeouts).hasValue(0);
	}

	@Test
	void attemptEndedBeforeItsTimeoutIsNotTimedOut() throws Exception {
		Watchdog.Deadline deadline = this.watchdog.start(ROW, Duration.ofMillis(50),
				(timeout) -> this.timeouts.incrementAndGet());

		assertThat(deadline.end()).isTrue();
		// Had it not been cancelled, it would have run by the time this one does.
		this.executor.schedule(() -> {
		}, 100, TimeUnit.MILLISECONDS).get(5, TimeUnit.SECONDS);
		assertThat(this.timeouts).hasValue(0);
	}

	@Test
	void attemptPastItsTimeoutIsRecordedOnceByTheWatchdogAndInterrupted() throws Exception {
		AtomicReference<TimeoutException> recorded = new AtomicReference<>();
		AtomicReference<Boolean> endedByTask = new AtomicReference<>();
		AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
		Thread worker = new Thread(() -> {
			Watchdog.Deadline deadline = this.watchdog.start(ROW, Duration.ofMillis(20), (timeout) -> {
				this.timeouts.incrementAndGet();
				recorded.set(timeout);
			});
			try {
				new CountDownLatch(1).await();
			}
			catch (InterruptedException ex) {
				// The watchdog interrupts after it recorded the timeout: set the flag again, as a
				// task that swallows nothing would leave it.
				Thread.currentThread().interrupt();
			}
			endedByTask.set(deadline.end());
			stillInterrupted.set(Thread.currentThread().isInterrupted());
		});
		worker.start();
		worker.join(5000);

		assertThat(worker.isAlive()).isFalse();
		assertThat(recorded.get()).hasMessage("Attempt 2 ran past its timeout of PT0.02S and was interrupted");
		assertThat(this.timeouts).hasValue(1);
		// The task's own end comes too late to count, and does not leak the interrupt into the
		// next task on that thread.
		assertThat(endedByTask.get()).isFalse();
		assertThat(stillInterrupted.get()).isFalse();
	}

}
