package dev.autotask.internal.supervisor;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.autotask.internal.supervisor.ResultPruner.Slice;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@link PrunePacer}, on a clock of its own: each slice of a round deletes what had expired when
 * the round started, a round rests as long as each slice took while it is younger than the
 * interval and no more after that, and the next round starts an interval after the last one
 * started.
 */
class PrunePacerTests {

	private static final Duration INTERVAL = Duration.ofSeconds(60);

	private final Deque<Slice> slices = new ArrayDeque<>();

	// How long ago its round had started, as each slice was told.
	private final List<Duration> ages = new ArrayList<>();

	private final AtomicBoolean leading = new AtomicBoolean(true);

	private final AtomicInteger rounds = new AtomicInteger();

	// Below zero, as System.nanoTime may be.
	private long nanos = -Duration.ofHours(1).toNanos();

	private Duration sliceTakes = Duration.ofSeconds(1);

	private final PrunePacer pacer = new PrunePacer(this::slice, this.rounds::incrementAndGet, this.leading::get,
			INTERVAL, () -> this.nanos);

	@Test
	void aRoundOfOneSliceWaitsAnIntervalFromItsStart() {
		this.slices.add(new Slice(10, true));

		assertThat(runAndWait()).isEqualTo(INTERVAL.minus(this.sliceTakes));
		assertThat(this.rounds).hasValue(1);
	}

	@Test
	void aLongRoundRestsAsLongAsEachSliceTook() {
		this.slices.add(new Slice(10_000, false));
		this.slices.add(new Slice(10_000, false));
		this.slices.add(new Slice(500, true));

		assertThat(runAndWait()).isEqualTo(Duration.ofSeconds(1));
		this.sliceTakes = Duration.ofSeconds(2);
		assertThat(runAndWait()).isEqualTo(Duration.ofSeconds(2));
		assertThat(this.rounds).as("no round ended yet").hasValue(0);
		// Three slices and two rests since the round started: 1 + 1 + 2 + 2 + 2 seconds.
		assertThat(runAndWait()).isEqualTo(INTERVAL.minusSeconds(8));
		assertThat(this.rounds).hasValue(1);
		assertThat(this.ages).as("each slice deletes what had expired when the round started")
			.containsExactly(Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(6));
	}

	@Test
	void aRoundOlderThanTheIntervalRestsNoMoreAndTheNextStartsAtOnce() {
		this.sliceTakes = Duration.ofSeconds(30);
		this.slices.add(new Slice(10_000, false));
		this.slices.add(new Slice(10_000, false));
		this.slices.add(new Slice(10_000, false));
		this.slices.add(new Slice(10, true));

		assertThat(runAndWait()).as("30 s into the round").isEqualTo(this.sliceTakes);
		assertThat(runAndWait()).as("90 s into the round").isZero();
		assertThat(runAndWait()).isZero();
		assertThat(runAndWait()).as("the next round is overdue").isZero();
		assertThat(this.rounds).hasValue(1);
	}

	@Test
	void aNodeThatDoesNotLeadPrunesNothingAndLooksAgainAnIntervalOn() {
		this.leading.set(false);

		assertThat(runAndWait()).isEqualTo(INTERVAL);
		assertThat(this.rounds).hasValue(0);
	}

	@Test
	void aNodeThatLosesTheLeadMidRoundStartsAFreshRoundWhenItLeadsAgain() {
		this.slices.add(new Slice(10_000, false));
		this.slices.add(new Slice(10, true));
		runAndWait();
		this.leading.set(false);
		this.nanos += Duration.ofMinutes(5).toNanos();
		assertThat(runAndWait()).isEqualTo(INTERVAL);
		this.leading.set(true);

		assertThat(runAndWait()).as("an interval from this round's start").isEqualTo(INTERVAL.minus(this.sliceTakes));
	}

	@Test
	void aSliceThatFailsEndsTheRound() {
		this.slices.add(new Slice(10_000, false));
		runAndWait();
		this.nanos += Duration.ofMinutes(5).toNanos();

		assertThatIllegalStateException().isThrownBy(this.pacer::runOnce);
		this.slices.add(new Slice(10, true));
		assertThat(runAndWait()).as("a round of its own").isEqualTo(INTERVAL.minus(this.sliceTakes));
		assertThat(this.rounds).hasValue(1);
	}

	// Run one slice, then let the wait it asks for pass.
	private Duration runAndWait() {
		Duration wait = this.pacer.runOnce();
		this.nanos += wait.toNanos();
		return wait;
	}

	private Slice slice(Duration age) {
		this.ages.add(age);
		Slice next = this.slices.poll();
		if (next == null) {
			throw new IllegalStateException("the database is away");
		}
		this.nanos += this.sliceTakes.toNanos();
		return next;
	}

}
