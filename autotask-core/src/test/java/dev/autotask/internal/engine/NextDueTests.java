package dev.autotask.internal.engine;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import dev.autotask.internal.jdbc.TaskClaimTable.Earliest;
import dev.autotask.internal.jdbc.TaskClaimTable.Position;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link NextDue}: when the dispatcher looks for the earliest pending task, and what it
 * keeps in between, on a clock of its own that starts below zero (as {@code System.nanoTime}
 * may) and a database clock an hour away from it.
 */
class NextDueTests {

	private static final Set<String> NAMES = Set.of("a", "b");

	// The database's clock, in microseconds, is this far from the node's, in nanoseconds / 1000.
	private static final long DATABASE_AHEAD_MICROS = Duration.ofHours(1).toNanos() / 1000;

	private long nanos = -5_000_000_000L;

	// What the database holds: the earliest pending task's due time on its clock, or none.
	private long pendingRunAt = Long.MAX_VALUE;

	private final AtomicInteger looks = new AtomicInteger();

	private final NextDue notified = nextDue(true);

	@Test
	void theFirstTurnLooks() {
		assertThat(turn(this.notified)).isEmpty();
		assertThat(this.looks).hasValue(1);
	}

	@Test
	void aTurnSoonAfterALookWithNothingNotifiedKeepsWhatTheLookFound() {
		this.pendingRunAt = databaseNow() + 500_000;
		assertThat(turn(this.notified)).contains(Duration.ofMillis(500));

		elapse(Duration.ofMillis(200));

		assertThat(turn(this.notified)).contains(Duration.ofMillis(300));
		assertThat(this.looks).hasValue(1);
	}

	@Test
	void aNotifiedTaskDueLaterThanTheTurnShortensTheWaitWithoutALook() {
		assertThat(turn(this.notified)).isEmpty();
		elapse(Duration.ofMillis(100));

		this.notified.notified(new Position(0, databaseNow() + 300_000, 0));

		assertThat(turn(this.notified)).contains(Duration.ofMillis(300));
		assertThat(this.looks).hasValue(1);
	}

	@Test
	void aNotifiedTaskDueBeforeTheTurnsClaimsIsLeftToThem() {
		assertThat(turn(this.notified)).isEmpty();
		elapse(Duration.ofMillis(100));

		this.notified.notified(new Position(0, databaseNow(), 0));
		this.notified.turnBegins();
		elapse(Duration.ofMillis(1));

		assertThat(this.notified.untilNext(NAMES)).isEmpty();
		assertThat(this.looks).hasValue(1);
	}

	@Test
	void aNotificationThatDoesNotPlaceItsTasksMakesTheNextTurnLook() {
		assertThat(turn(this.notified)).isEmpty();
		this.pendingRunAt = databaseNow() + 2_000_000;

		this.notified.changed();

		assertThat(turn(this.notified)).contains(Duration.ofSeconds(2));
		assertThat(this.looks).hasValue(2);
	}

	@Test
	void aTurnAfterTheKnownDueTimeLooksAgain() {
		this.pendingRunAt = databaseNow() + 100_000;
		assertThat(turn(this.notified)).contains(Duration.ofMillis(100));
		elapse(Duration.ofMillis(100));
		this.pendingRunAt = Long.MAX_VALUE;

		assertThat(turn(this.notified)).isEmpty();
		assertThat(this.looks).hasValue(2);
	}

	@Test
	void aDueTaskTheLookFoundIsLookedForAgainAtTheNextTurn() {
		this.pendingRunAt = databaseNow() - 1_000;
		assertThat(turn(this.notified)).hasValueSatisfying((wait) -> assertThat(wait).isNegative());
		elapse(Duration.ofMillis(25));

		turn(this.notified);

		assertThat(this.looks).hasValue(2);
	}

	@Test
	void aLookIsTrustedForNoLongerThanTrust() {
		assertThat(turn(this.notified)).isEmpty();
		elapse(NextDue.TRUST.minusMillis(1));
		turn(this.notified);
		assertThat(this.looks).hasValue(1);

		elapse(Duration.ofMillis(1));
		this.pendingRunAt = databaseNow() + 50_000;

		assertThat(turn(this.notified)).contains(Duration.ofMillis(50));
		assertThat(this.looks).hasValue(2);
	}

	@Test
	void otherNamesAreLookedFor() {
		turn(this.notified);

		this.notified.turnBegins();
		this.notified.untilNext(Set.of("a"));

		assertThat(this.looks).hasValue(2);
	}

	@Test
	void withoutNotificationsEveryTurnLooks() {
		NextDue polling = nextDue(false);

		turn(polling);
		turn(polling);

		assertThat(this.looks).hasValue(2);
	}

	@Test
	void aTaskDueCenturiesAwayIsFarAwayRatherThanOverflow() {
		this.pendingRunAt = Long.MAX_VALUE - 1;

		assertThat(turn(this.notified)).hasValueSatisfying((wait) -> assertThat(wait).isGreaterThan(Duration.ofDays(36_500)));
	}

	private NextDue nextDue(boolean notified) {
		return new NextDue((names) -> {
			this.looks.incrementAndGet();
			return new Earliest(databaseNow(), this.pendingRunAt);
		}, notified, () -> this.nanos);
	}

	private Optional<Duration> turn(NextDue nextDue) {
		nextDue.turnBegins();
		return nextDue.untilNext(NAMES);
	}

	private long databaseNow() {
		return Math.floorDiv(this.nanos, 1000) + DATABASE_AHEAD_MICROS;
	}

	private void elapse(Duration duration) {
		this.nanos += duration.toNanos();
	}

}
