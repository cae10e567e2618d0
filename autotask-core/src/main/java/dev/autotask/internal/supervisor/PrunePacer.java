package dev.autotask.internal.supervisor;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;

import dev.autotask.internal.supervisor.ResultPruner.Slice;

/**
 * Paces the leader's prunes. A round of pruning starts every clean interval and deletes what
 * had expired when it started, a slice at a time; after each slice it rests as long as the slice
 * took, for as long as the round is younger than the interval. What expires during a round is
 * left for the next, so that each round has an interval's worth to delete, not a round that
 * chases the expiries and leaves the next almost nothing.
 *
 * <p>
 * So a long prune (a minute's ends under a steady load of thousands a second: a million rows,
 * half a minute of deletes) is spread over the interval at half the database's pace rather than
 * run in one burst that the workers' claims and ends queue behind, and the schedules the same
 * thread fires wait for one slice, not for the whole prune. A round that is still going when
 * the next is due rests no more, so pruning keeps up with whatever the engine ends. A node that
 * does not lead looks again an interval later.
 */
final class PrunePacer {

	private final Function<Duration, Slice> slice;

	private final Runnable afterRound;

	private final BooleanSupplier leading;

	private final long interval;

	private final LongSupplier nanoTime;

	// Whether a round is going, and when it started (System.nanoTime may be negative).
	private boolean inRound;

	private long roundStart;

	/**
	 * Create the pacer.
	 * @param slice one slice of the prune, given how long ago its round started
	 * @param afterRound what to prune once a round has deleted every expired task
	 * @param leading whether this node leads: only the leader prunes
	 * @param interval the clean interval, from the start of one round to the start of the next
	 * @param nanoTime the clock, as {@link System#nanoTime()}
	 */
	PrunePacer(Function<Duration, Slice> slice, Runnable afterRound, BooleanSupplier leading, Duration interval,
			LongSupplier nanoTime) {
		this.slice = slice;
		this.afterRound = afterRound;
		this.leading = leading;
		this.interval = interval.toNanos();
		this.nanoTime = nanoTime;
	}

	/**
	 * Prune one slice, if this node leads.
	 * @return how long to wait before the next slice or round
	 */
	Duration runOnce() {
		if (!this.leading.getAsBoolean()) {
			this.inRound = false;
			return Duration.ofNanos(this.interval);
		}
		long start = this.nanoTime.getAsLong();
		if (!this.inRound) {
			this.inRound = true;
			this.roundStart = start;
		}
		long roundStarted = this.roundStart;
		Slice pruned;
		try {
			pruned = this.slice.apply(Duration.ofNanos(start - roundStarted));
		}
		catch (RuntimeException ex) {
			// The next try is a round of its own, an interval on.
			this.inRound = false;
			throw ex;
		}
		long end = this.nanoTime.getAsLong();
		if (pruned.last()) {
			this.inRound = false;
			this.afterRound.run();
			return Duration.ofNanos(Math.max(roundStarted + this.interval - this.nanoTime.getAsLong(), 0));
		}
		boolean young = end - roundStarted < this.interval;
		return young ? Duration.ofNanos(end - start) : Duration.ZERO;
	}

}
