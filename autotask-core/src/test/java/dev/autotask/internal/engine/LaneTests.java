package dev.autotask.internal.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import dev.autotask.internal.jdbc.TaskClaimTable.Position;
import dev.autotask.internal.jdbc.TaskRow;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link Lane}: how far ahead it claims, from how long its tasks run, and where its
 * claims start.
 */
class LaneTests {

	@Test
	void newLaneAssumesSlowTasksAndClaimsNoneAhead() {
		Lane lane = Lane.of(List.of(), true, 8);

		assertThat(lane.capacity()).isEqualTo(8);
		assertThat(lane.room()).isEqualTo(8);
		assertThat(lane.refill()).isEqualTo(4);
	}

	@Test
	void quickTasksAreClaimedAheadUpToTheCeiling() {
		Lane lane = Lane.of(List.of(), true, 8);

		runQuick(lane, 200, Duration.ofNanos(10_000));

		assertThat(lane.capacity()).isEqualTo(8 + Lane.MAX_AHEAD);
		assertThat(lane.refill()).isEqualTo((8 + Lane.MAX_AHEAD) / 2);
	}

	@Test
	void claimsAheadWhatItsWorkersEndWithinTheWindow() {
		Lane lane = Lane.of(List.of("mail"), false, 4);

		// Tasks of 1 ms: four workers end 80 in the 20 ms window.
		runQuick(lane, 400, Duration.ofMillis(1));

		assertThat(lane.capacity()).isBetween(4 + 78, 4 + 80);
	}

	@Test
	void tasksSlowerThanTheWindowAreClaimedOnePerSlot() {
		Lane lane = Lane.of(List.of(), true, 3);

		// Three workers end fewer than one such task in the window: none is claimed ahead.
		runQuick(lane, 100, Duration.ofMillis(100));

		assertThat(lane.capacity()).isEqualTo(3);
	}

	@Test
	void averageMovesAnEighthOfTheWayTowardsEachRun() {
		Lane lane = Lane.of(List.of(), true, 1000);

		// From the assumed second towards zero: 1 s × 7/8 = 875 ms, so 1000 × 20 / 875 = 22 ahead.
		lane.ran(0);

		assertThat(lane.capacity()).isEqualTo(1000 + 22);
	}

	@Test
	void roomCountsRunningAndBufferedTasks() {
		Lane lane = Lane.of(List.of(), true, 4);

		assertThat(lane.slots().tryAcquire(3)).isTrue();
		lane.buffer().add(row(1));

		assertThat(lane.room()).isZero();
		lane.slots().release(2);
		assertThat(lane.room()).isEqualTo(2);
	}

	@Test
	void roomIsNeverNegative() {
		Lane lane = Lane.of(List.of(), true, 2);
		runQuick(lane, 200, Duration.ofNanos(1));
		IntStream.range(0, 300).forEach((id) -> lane.buffer().add(row(id)));

		assertThat(lane.room()).isZero();
	}

	@Test
	void refillIsAtLeastOne() {
		Lane lane = Lane.of(List.of("solo"), false, 1);

		assertThat(lane.refill()).isOne();
	}

	@Test
	void keepsItsQueuesAndWhetherTheyAreExcluded() {
		Lane shared = Lane.of(List.of("mail", "reports"), true, 8);
		Lane own = Lane.of(List.of("mail"), false, 2);

		assertThat(shared.queues()).containsExactly("mail", "reports");
		assertThat(shared.except()).isTrue();
		assertThat(own.except()).isFalse();
		assertThat(own.slots().availablePermits()).isEqualTo(2);
	}

	@Test
	void claimsResumeAfterTheLastTaskTheLaneTook() {
		Lane lane = Lane.of(List.of(), true, 8);
		Position last = new Position(0, 1_000, 42);

		lane.claimed(null, last);

		assertThat(lane.claimAfter()).isEqualTo(last);
		Position next = new Position(0, 2_000, 43);
		lane.claimed(last, next);
		assertThat(lane.claimAfter()).isEqualTo(next);
	}

	@Test
	void aClaimThatTookNoneLeavesTheLaneWhereItWas() {
		Lane lane = Lane.of(List.of(), true, 8);
		Position last = new Position(0, 1_000, 42);
		lane.claimed(null, last);

		lane.claimed(last, null);
		assertThat(lane.claimAfter()).isEqualTo(last);
		lane.claimed(null, null);
		assertThat(lane.claimAfter()).isEqualTo(last);
	}

	@Test
	void aLaneThatTookNothingYetClaimsFromTheFront() {
		Lane lane = Lane.of(List.of(), true, 8);

		lane.enqueued(new Position(0, 1_000, 0));

		assertThat(lane.claimAfter()).isNull();
	}

	@Test
	void tasksEnqueuedAfterTheLanesPlaceLeaveItsClaimsWhereTheyAre() {
		Lane lane = Lane.of(List.of(), true, 8);
		Position last = new Position(5, 1_000, 42);
		lane.claimed(null, last);

		// Due later, or of a lower priority: a claim that resumes, or the claim of the lower
		// priorities after it, finds them.
		lane.enqueued(new Position(5, 1_001, 0));
		lane.enqueued(new Position(4, 0, 0));

		assertThat(lane.claimAfter()).isEqualTo(last);
	}

	@Test
	void tasksEnqueuedBeforeTheLanesPlaceSendItsNextClaimToTheFront() {
		Position last = new Position(5, 1_000, 42);
		// A higher priority; due earlier (a transaction that began before the claim); due at the
		// same time (ids are not known); a notification that does not say where.
		for (Position place : List.of(new Position(6, 2_000, 0), new Position(5, 999, 0), new Position(5, 1_000, 0),
				Lane.FRONT)) {
			Lane lane = Lane.of(List.of(), true, 8);
			lane.claimed(null, last);

			lane.enqueued(place);

			assertThat(lane.claimAfter()).as("after %s was enqueued", place).isNull();
			lane.claimed(null, null);
			assertThat(lane.claimAfter()).as("after the claim from the front").isEqualTo(last);
		}
	}

	@Test
	void claimsResumeForAWhileAfterOneFromTheFrontThenStartThereAgain() {
		Lane lane = Lane.of(List.of(), true, 8);
		Position last = new Position(0, 1_000, 42);
		lane.claimed(null, last);
		// Resumed claims do not reset the clock, however many there are.
		lane.claimed(last, last);

		await().atMost(Lane.RESUME_FOR.multipliedBy(5)).until(() -> lane.claimAfter() == null);
		lane.claimed(null, null);
		assertThat(lane.claimAfter()).isEqualTo(last);
	}

	private static void runQuick(Lane lane, int tasks, Duration each) {
		for (int i = 0; i < tasks; i++) {
			lane.ran(each.toNanos());
		}
	}

	private static TaskRow row(long id) {
		Instant now = Instant.EPOCH;
		return new TaskRow(id, "task", "default", "owner", "RUNNING", "[]", 1, 3, now, now, now, null, null, null,
				null, null, 0, null, null, null, null);
	}

}
