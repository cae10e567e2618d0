package dev.autotask.internal.engine;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

import dev.autotask.internal.jdbc.TaskClaimTable.Earliest;
import dev.autotask.internal.jdbc.TaskClaimTable.Position;
import org.jspecify.annotations.Nullable;

/**
 * When the earliest pending task is due: how long the dispatcher may sleep once its claims came
 * back short. Looked up in the database, then kept while the notifications tell of every task
 * that could come before it, rather than looked up after every short claim.
 *
 * <p>
 * The look reads the claim index from its front, past the entries of every task claimed since
 * the table's last vacuum: in a steady flow, where every turn of the dispatcher claims short, it
 * cost 8 ms a turn, 18% of the database's statement time (docs/performance.md, "The next due
 * time, kept"). Kept, the due time is the earliest of what the last look found and of the due times
 * the inserts' notifications carry since. It is looked up again:
 * <ul>
 * <li>when a notification does not say where its tasks are ({@link #changed()}: a fire, a
 * rescue, a task handed back or given back, the console's retry, a queue resumed, a task with a
 * concurrency key, the listener back after it lost its connection), and when this node wrote a
 * retry or a snooze;</li>
 * <li>when the due time it gave has come: the claims took that task, or could not;</li>
 * <li>when the names to look for changed;</li>
 * <li>and at the latest {@link #TRUST} after the last look: the tasks no notification tells of
 * (another node's retries, rows written by hand) wait that much longer at most.</li>
 * </ul>
 * Without notifications (polling only), every turn looks, as before.
 *
 * <p>
 * A notified task due before the turn's claims began is not waited for: the claims took it, or
 * another node's did, or its queue is paused (a resume notifies). A notification that arrives
 * after the claims began wakes the dispatcher for another turn, and so another claim, anyway.
 *
 * <p>
 * A due time read on the database's clock is placed on this node's by its distance from the
 * look's own database time.
 */
final class NextDue {

	/** How long a look is trusted without a notification that says otherwise. */
	static final Duration TRUST = Duration.ofSeconds(1);

	private static final long NONE = Long.MAX_VALUE;

	private final Function<Set<String>, Earliest> look;

	private final boolean notified;

	private final LongSupplier clock;

	// Written by the notifier's and the completer's threads.
	private final AtomicBoolean stale = new AtomicBoolean(true);

	private final AtomicLong notifiedRunAt = new AtomicLong(NONE);

	// The dispatcher's thread only: the last look (when, on this clock and the database's), what
	// it looked for, and the earliest due time known since, on the database's clock.
	private @Nullable Set<String> lookedFor;

	private long lookedAt;

	private long lookedAtMicros;

	private long nextMicros = NONE;

	private long turnBegan;

	/**
	 * @param look the database's look for the earliest pending task of some names
	 * @param notified whether the inserts' notifications reach this node; if not, every turn looks
	 * @param clock this node's clock, in nanoseconds ({@code System::nanoTime})
	 */
	NextDue(Function<Set<String>, Earliest> look, boolean notified, LongSupplier clock) {
		this.look = look;
		this.notified = notified;
		this.clock = clock;
	}

	/**
	 * Say that tasks were enqueued at a place, by their notification.
	 * @param place where they are; its due time is what counts here
	 */
	void notified(Position place) {
		this.notifiedRunAt.accumulateAndGet(place.runAtMicros(), Math::min);
	}

	/**
	 * Say that tasks may be pending that no notification placed: the next turn looks.
	 */
	void changed() {
		this.stale.set(true);
	}

	/**
	 * Say that a turn's claims begin.
	 */
	void turnBegins() {
		this.turnBegan = this.clock.getAsLong();
	}

	/**
	 * How long until the earliest pending task of these names is due, once the turn's claims
	 * came back short.
	 * @param names the tasks this node runs
	 * @return the wait (zero or negative if one is due), or empty if none is pending
	 */
	Optional<Duration> untilNext(Set<String> names) {
		long notifiedRunAt = this.notifiedRunAt.getAndSet(NONE);
		boolean stale = this.stale.getAndSet(false);
		if (!this.notified || stale || !names.equals(this.lookedFor)
				|| this.clock.getAsLong() - this.lookedAt >= TRUST.toNanos()
				|| (this.nextMicros != NONE && sinceLook(this.nextMicros) <= this.turnBegan - this.lookedAt)) {
			lookUp(names);
		}
		else if (notifiedRunAt != NONE && sinceLook(notifiedRunAt) > this.turnBegan - this.lookedAt) {
			this.nextMicros = Math.min(this.nextMicros, notifiedRunAt);
		}
		if (this.nextMicros == NONE) {
			return Optional.empty();
		}
		return Optional.of(Duration.ofNanos(sinceLook(this.nextMicros) - (this.clock.getAsLong() - this.lookedAt)));
	}

	// What was notified before the look is in it: a notification comes after its commit.
	private void lookUp(Set<String> names) {
		this.lookedAt = this.clock.getAsLong();
		Earliest earliest = this.look.apply(names);
		this.lookedFor = names;
		this.lookedAtMicros = earliest.nowMicros();
		this.nextMicros = earliest.runAtMicros();
	}

	// How long after the look a due time on the database's clock comes, in nanoseconds of this
	// clock; a due time centuries away stays far away rather than overflow.
	private long sinceLook(long micros) {
		try {
			return Math.multiplyExact(Math.subtractExact(micros, this.lookedAtMicros), 1000L);
		}
		catch (ArithmeticException ex) {
			return (micros > this.lookedAtMicros) ? Long.MAX_VALUE / 2 : Long.MIN_VALUE / 2;
		}
	}

}
