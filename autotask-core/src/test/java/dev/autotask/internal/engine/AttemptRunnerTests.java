package dev.autotask.internal.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.autotask.TaskContext;
import dev.autotask.TaskFailure;
import dev.autotask.TaskHandle;
import dev.autotask.internal.engine.AttemptRunner.Ending;
import dev.autotask.internal.jdbc.TaskOutcomeTable;
import dev.autotask.internal.jdbc.TaskRow;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskInvoker;
import dev.autotask.task.TaskParameter;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link AttemptRunner}: how each way a task's code can end becomes the outcome
 * recorded, with no database.
 */
class AttemptRunnerTests {

	private static final Duration RETRY_DELAY = Duration.ofSeconds(7);

	private final TaskJson json = new TaskJson();

	private final AtomicBoolean stopping = new AtomicBoolean();

	private final AttemptRunner attempts = new AttemptRunner(this.json, (failedAttempt) -> RETRY_DELAY,
			this.stopping::get);

	private boolean cancelSeen;

	private boolean watchdogFirst;

	@AfterEach
	void clearInterrupt() {
		Thread.interrupted();
	}

	@Test
	void returnedValueSucceedsWithItsResult() {
		TaskOutcomeTable.Outcome outcome = ended(run(task((args) -> 42), row(1, 4)), "SUCCESS");

		assertThat(outcome.result()).isEqualTo("42");
		assertThat(outcome.error()).isNull();
		assertThat(outcome.id()).isEqualTo(7);
		assertThat(outcome.attempt()).isOne();
	}

	@Test
	void returnedHandleIsAwaitedForItsResult() {
		TaskHandle<String> handle = TaskHandle.completed("done");

		TaskOutcomeTable.Outcome outcome = ended(run(task((args) -> handle), row(1, 4)), "SUCCESS");

		assertThat(outcome.result()).isEqualTo("\"done\"");
	}

	@Test
	void returnedAfterACancelRequestWasSeenIsCancelledWithItsResult() {
		this.cancelSeen = true;

		TaskOutcomeTable.Outcome outcome = ended(run(task((args) -> "partial"), row(1, 4)), "CANCELLED");

		assertThat(outcome.result()).isEqualTo("\"partial\"");
	}

	@Test
	void resultThatCannotBeStoredFails() {
		TaskOutcomeTable.Outcome outcome = ended(run(task((args) -> new Unwritable()), row(1, 4)), "FAILURE");

		assertThat(outcome.error()).contains(IllegalArgumentException.class.getName());
	}

	@Test
	void taskFailureFailsAtOnceWithItsMessageAsResult() {
		TaskOutcomeTable.Outcome outcome = ended(threw(new TaskFailure("no such customer"), row(1, 4)), "FAILURE");

		assertThat(outcome.result()).isEqualTo("\"no such customer\"");
		assertThat(outcome.error()).contains(TaskFailure.class.getName()).doesNotContain("\"stackTrace\":\"");
	}

	@Test
	void exceptionIsRetriedAfterThePolicysDelayWhileAttemptsRemain() {
		TaskOutcomeTable.Outcome outcome = ended(threw(new IllegalStateException("flaky"), row(3, 4)), "PENDING");

		assertThat(outcome.delay()).isEqualTo(RETRY_DELAY);
		assertThat(outcome.result()).isNull();
		assertThat(outcome.error()).contains(IllegalStateException.class.getName()).contains("flaky");
	}

	@Test
	void exceptionOnTheLastAttemptFails() {
		TaskOutcomeTable.Outcome outcome = ended(threw(new IllegalStateException("flaky"), row(4, 4)), "FAILURE");

		assertThat(outcome.error()).contains("flaky");
	}

	@Test
	void exceptionListedInNoRetryForFailsAtOnce() {
		TaskDefinition task = task((args) -> {
			throw new IllegalArgumentException("bad input");
		}).withNoRetryFor(List.of(IllegalArgumentException.class));

		TaskOutcomeTable.Outcome outcome = ended(run(task, row(1, 4)), "FAILURE");

		assertThat(outcome.error()).contains("bad input");
	}

	@Test
	void exceptionAfterACancelRequestWasSeenIsCancelledNotRetried() {
		this.cancelSeen = true;

		TaskOutcomeTable.Outcome outcome = ended(threw(new InterruptedException("asked to stop"), row(1, 4)), "CANCELLED");

		assertThat(outcome.error()).contains(InterruptedException.class.getName());
	}

	@Test
	void outOfMemoryErrorIsAFailedAttemptRetriedWhileAttemptsRemain() {
		TaskOutcomeTable.Outcome outcome = ended(threw(new OutOfMemoryError("Java heap space"), row(1, 4)), "PENDING");

		assertThat(outcome.error()).contains(OutOfMemoryError.class.getName());
	}

	@Test
	void interruptedTaskLeavesTheInterruptFlagSet() {
		Ending ending = threw(new InterruptedException(), row(1, 4));

		assertThat(outcome(ending).status()).isEqualTo("PENDING");
		assertThat(Thread.currentThread().isInterrupted()).isTrue();
	}

	@Test
	void timeoutIsAFailedAttemptRetriedWhileAttemptsRemain() {
		TimeoutException timeout = new TimeoutException("Attempt 1 ran past its timeout of PT1S and was interrupted");

		assertThat(outcome(this.attempts.failedAttempt(row(1, 4), timeout)).status()).isEqualTo("PENDING");
		TaskOutcomeTable.Outcome last = outcome(this.attempts.failedAttempt(row(4, 4), timeout));
		assertThat(last.status()).isEqualTo("FAILURE");
		assertThat(last.error()).contains(TimeoutException.class.getName()).contains("ran past its timeout");
	}

	@Test
	void failedAttemptWhileTheEngineStopsRecordsNothing() {
		this.stopping.set(true);

		Ending ending = threw(new InterruptedException("shutdown"), row(1, 4));

		assertThat(ending).isSameAs(Ending.NOTHING);
	}

	@Test
	void snoozeEndsWithItsDelay() {
		Ending ending = threw(new RunningTask.Snooze(Duration.ofMinutes(5)), row(1, 4));

		assertThat(ending).isEqualTo(new Ending.Snooze(Duration.ofMinutes(5)));
	}

	@Test
	void repeatContinuesWithTheNextArgumentsAsJson() {
		TaskDefinition task = TaskDefinition.of("count", (args) -> {
			throw new RunningTask.Repeat(new Object[] { ((Integer) args[0]) + 1 });
		}, new TaskParameter("n", int.class));

		Ending ending = this.attempts.run(row(1, 4), task, new Object[] { 1 }, new Context(), () -> this.cancelSeen,
				() -> !this.watchdogFirst);

		assertThat(ending).isEqualTo(new Ending.Continue("[2]", task.maxAttempts()));
	}

	@Test
	void repeatWithArgumentsThatDoNotFitFails() {
		TaskDefinition task = TaskDefinition.of("count", (args) -> {
			throw new RunningTask.Repeat(new Object[] { "one", "two" });
		}, new TaskParameter("n", int.class));

		Ending ending = this.attempts.run(row(1, 4), task, new Object[] { 1 }, new Context(), () -> this.cancelSeen,
				() -> !this.watchdogFirst);

		TaskOutcomeTable.Outcome outcome = outcome(ending);
		assertThat(outcome.status()).isEqualTo("FAILURE");
		assertThat(outcome.error()).contains("repeated itself with arguments that do not fit");
	}

	@Test
	void cancelSeenBeforeAChunkIsCancelled() {
		TaskOutcomeTable.Outcome outcome = ended(threw(new RunningTask.Cancelled(), row(1, 4)), "CANCELLED");

		assertThat(outcome.result()).isNull();
		assertThat(outcome.error()).isNull();
	}

	@Test
	void attemptTheWatchdogEndedFirstRecordsNothingHoweverItEnds() {
		this.watchdogFirst = true;

		assertThat(run(task((args) -> "late"), row(1, 4))).isSameAs(Ending.NOTHING);
		assertThat(threw(new InterruptedException(), row(1, 4))).isSameAs(Ending.NOTHING);
		assertThat(threw(new TaskFailure("late"), row(1, 4))).isSameAs(Ending.NOTHING);
		assertThat(threw(new RunningTask.Snooze(Duration.ZERO), row(1, 4))).isSameAs(Ending.NOTHING);
	}

	@Test
	void contextIsInPlaceOnlyWhileTheCodeRuns() {
		Context context = new Context();
		AtomicReference<@Nullable TaskContext> seen = new AtomicReference<>();

		this.attempts.run(row(1, 4), task((args) -> {
			seen.set(TaskContext.current().orElse(null));
			return null;
		}), new Object[0], context, () -> false, () -> true);

		assertThat(seen.get()).isSameAs(context);
		assertThat(TaskContext.current()).isEmpty();
	}

	@Test
	void failureIsBuiltWithItsError() {
		TaskOutcomeTable.Outcome outcome = outcome(this.attempts.failure(row(1, 4), null,
				new dev.autotask.TaskError("java.lang.IllegalStateException", "No task named 'x'", null)));

		assertThat(outcome.status()).isEqualTo("FAILURE");
		assertThat(outcome.error()).contains("No task named 'x'");
	}

	private Ending threw(Throwable ex, TaskRow row) {
		return run(task((args) -> {
			if (ex instanceof Error error) {
				throw error;
			}
			throw (Exception) ex;
		}), row);
	}

	private Ending run(TaskDefinition task, TaskRow row) {
		return this.attempts.run(row, task, new Object[0], new Context(), () -> this.cancelSeen,
				() -> !this.watchdogFirst);
	}

	private static TaskOutcomeTable.Outcome ended(Ending ending, String status) {
		TaskOutcomeTable.Outcome outcome = outcome(ending);
		assertThat(outcome.status()).isEqualTo(status);
		return outcome;
	}

	private static TaskOutcomeTable.Outcome outcome(Ending ending) {
		assertThat(ending).isInstanceOf(Ending.Complete.class);
		return ((Ending.Complete) ending).outcome().get();
	}

	private static TaskDefinition task(TaskInvoker invoker) {
		return TaskDefinition.of("work", invoker).withResultType(Object.class);
	}

	private static TaskRow row(int attempt, int maxAttempts) {
		Instant now = Instant.EPOCH;
		return new TaskRow(7, "work", "default", "owner", "RUNNING", "[]", attempt, maxAttempts, now, now, now, null,
				null, null, null, null, 0, null, null, null, null);
	}

	/**
	 * A result Jackson cannot write: its one property throws.
	 */
	static final class Unwritable {

		public String getValue() {
			throw new IllegalStateException("not today");
		}

	}

	/**
	 * The context of a task in these tests: nothing reaches a database.
	 */
	private static final class Context implements TaskContext {

		@Override
		public long id() {
			return 7;
		}

		@Override
		public String name() {
			return "work";
		}

		@Override
		public int attempt() {
			return 1;
		}

		@Override
		public String owner() {
			return "owner";
		}

		@Override
		public @Nullable String startedBy() {
			return null;
		}

		@Override
		public void reportProgress(long done, long total) {
		}

		@Override
		public boolean isCancellationRequested() {
			return false;
		}

		@Override
		public RuntimeException snooze(Duration delay) {
			throw new RunningTask.Snooze(delay);
		}

		@Override
		public RuntimeException repeat(Object... args) {
			throw new RunningTask.Repeat(args);
		}

		@Override
		public <C> void iterate(Class<C> cursorType, C start, Chunk<C> chunk) {
			throw new UnsupportedOperationException();
		}

	}

}
