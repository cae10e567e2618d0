package dev.autotask.internal.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.autotask.engine.EngineSettings;
import dev.autotask.internal.backoff.Backoff;
import dev.autotask.internal.jdbc.KeyedClaimTable;
import dev.autotask.internal.jdbc.KeyedClaimTable.KeyedClaim;
import dev.autotask.internal.jdbc.LimitedClaimTable;
import dev.autotask.internal.jdbc.LimitedClaimTable.LimitedClaim;
import dev.autotask.internal.jdbc.TaskClaimTable;
import dev.autotask.internal.jdbc.TaskClaimTable.Claimed;
import dev.autotask.internal.jdbc.TaskClaimTable.Position;
import dev.autotask.internal.jdbc.TaskRow;
import dev.autotask.task.TaskRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claim loop: for each lane, claims due tasks in one statement, hands them to the workers,
 * and sleeps until a notification, a freed slot, the next due time or the poll interval,
 * whichever comes first.
 *
 * <p>
 * A queue with a concurrency of its own is a lane with its own slots, so a busy queue can
 * never starve it; every other queue shares the default lane. A queue limited across the cluster
 * is a lane too, whose claims take turns with every node's and take no more than the limit
 * leaves. A slot is taken before a task
 * is handed over and given back when its worker has nothing more to run ({@link LaneWorkers}).
 *
 * <p>
 * A lane claims ahead into a small buffer, and a worker that ends a task takes the next from
 * there, so workers never wait for a claim's round trip; how far ahead is the {@link Lane}'s
 * to say, from how long its tasks run. Quick tasks are claimed a few hundred at a time, slow
 * ones one per free slot. Buffered tasks are {@code RUNNING} on
 * this node in the database: stopping gives them back ({@link #giveBack()}), and after a crash
 * the orphan rescuer does. A queue paused after its tasks were buffered still runs those few,
 * and a task of higher priority enqueued meanwhile starts after them.
 *
 * <p>
 * A lane's claim starts after the last task the one before took, past the claim index's entries
 * of the tasks claimed before, which stay in the index, dead, until the table is vacuumed: a
 * backlog of a million drained at 0.7x the rate of a small one with claims from the front, and
 * in a steady flow, where claims come back short, a claim from the front cost three times what
 * one that resumes did. The notification of a task enqueued before that place, and a second's
 * passing, send the next claim back to the front ({@link Lane#claimAfter()}).
 */
final class Dispatcher implements Runnable {

	private static final Logger logger = LoggerFactory.getLogger(Dispatcher.class);

	// A due task we failed to claim is locked by another node's claim; look again soon.
	private static final Duration RECHECK = Duration.ofMillis(25);

	// How often a lane claims its tasks with a concurrency key ahead of the others.
	private static final Duration KEYED_EVERY = Duration.ofMillis(100);

	// While claims fail: the first wait, doubling up to the poll interval.
	private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

	private final TaskClaimTable table;

	private final LimitedClaimTable limitedTable;

	private final KeyedClaimTable keyedTable;

	private final TaskRegistry registry;

	private final LaneWorkers laneWorkers;

	private final List<Lane> lanes;

	private final Wakeup wakeup;

	private final EngineSettings settings;

	private final HeldTasks held;

	private final Backoff backoff;

	private volatile boolean running = true;

	// Set when a task with a concurrency key was enqueued, by its notification.
	private final AtomicBoolean keyedArrived = new AtomicBoolean();

	// The first place in the claim index of the tasks without a key enqueued since the last round,
	// by their notifications; Lane.FRONT where one did not say.
	private final AtomicReference<@Nullable Position> enqueuedAt = new AtomicReference<>();

	private final NextDue nextDue;

	/**
	 * Create the claim loop of a node.
	 * @param notified whether the inserts' notifications reach this node, or it polls only
	 */
	Dispatcher(TaskClaimTable table, LimitedClaimTable limitedTable, KeyedClaimTable keyedTable,
			TaskRegistry registry, TaskRunner runner, Executor workers, Wakeup wakeup,
			EngineSettings settings, HeldTasks held, boolean notified) {
		this.held = held;
		this.table = table;
		this.limitedTable = limitedTable;
		this.keyedTable = keyedTable;
		this.registry = registry;
		this.laneWorkers = new LaneWorkers(runner, workers, held, wakeup, table, settings.nodeId(), () -> this.running);
		this.wakeup = wakeup;
		this.settings = settings;
		this.lanes = Lane.all(settings);
		this.backoff = new Backoff(FIRST_BACKOFF, settings.pollInterval());
		this.nextDue = new NextDue(table::earliest, notified, System::nanoTime);
	}

	/**
	 * How many worker threads the lanes need in all.
	 */
	static int threads(EngineSettings settings) {
		return Lane.all(settings).stream().mapToInt(Lane::size).sum();
	}

	@Override
	public void run() {
		while (this.running) {
			try {
				// Returns when stopped or interrupted.
				claimUntilStopped();
				return;
			}
			catch (Error ex) {
				// Thrown by the handling of an earlier failure, while the heap is still full: start
				// over after a moment rather than let the thread die.
				try {
					if (!sleep(Duration.ofSeconds(1))) {
						return;
					}
				}
				catch (Error again) {
					// Still full: the loop tries again.
				}
			}
		}
	}

	private void claimUntilStopped() {
		// Set while claims fail: the outage is logged when it starts and when it ends, not per try.
		long failingSince = 0;
		int failures = 0;
		while (this.running) {
			try {
				Duration wait = dispatchOnce();
				if (failingSince != 0) {
					logger.info("Claiming tasks again after {} ms and {} failed tries",
							(System.nanoTime() - failingSince) / 1_000_000, failures);
					failingSince = 0;
					failures = 0;
				}
				this.wakeup.await(wait);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException | Error ex) {
				// Not only a lost database: whatever a claim throws (an OutOfMemoryError while the
				// heap is full, say) must not end this thread, or the node would stop claiming
				// for good while it still heartbeats. A notification cuts the back-off short.
				failures++;
				if (failingSince == 0) {
					failingSince = System.nanoTime();
					logger.warn("Cannot claim tasks; trying again with back-off up to {} until it works: {}",
							this.settings.pollInterval(), ConnectionLoss.describe(ex));
				}
				else {
					logger.debug("Still cannot claim tasks, retrying in {} ms: {}", this.backoff.delay(failures).toMillis(),
							ConnectionLoss.describe(ex));
				}
				if (!sleep(this.backoff.delay(failures))) {
					return;
				}
			}
		}
	}

	/**
	 * Claim and start what is due, then say how long to sleep.
	 */
	Duration dispatchOnce() {
		Set<String> names = this.registry.names();
		if (names.isEmpty()) {
			return this.settings.pollInterval();
		}
		boolean more = false;
		boolean busy = false;
		Duration limitedRetry = null;
		boolean keyedArrived = this.keyedArrived.getAndSet(false);
		Position enqueuedAt = this.enqueuedAt.getAndSet(null);
		this.nextDue.turnBegins();
		for (Lane lane : this.lanes) {
			if (enqueuedAt != null) {
				lane.enqueued(enqueuedAt);
			}
			this.laneWorkers.startBuffered(lane);
			int room = lane.room();
			if (room < lane.refill()) {
				// Enough in hand: its workers wake us as they take from the buffer.
				busy = true;
				continue;
			}
			int claimed;
			if (lane.limited()) {
				LimitedClaim claim = this.limitedTable.claim(this.settings.nodeId(), names, lane.queues().get(0),
						lane.global(), lane.rateInterval(), room);
				claimed = take(lane, claim.rows());
				if (claim.retryIn() != null) {
					limitedRetry = (limitedRetry != null) ? Wakeup.min(limitedRetry, claim.retryIn()) : claim.retryIn();
				}
			}
			else {
				claimed = claimKeyedAndPlain(lane, names, room, keyedArrived);
			}
			// A full claim means there may be more: look again as soon as there is room.
			more |= (claimed == room);
		}
		if (more) {
			return Duration.ZERO;
		}
		if (limitedRetry != null) {
			// A limit held back due tasks: look again when it lets more start (nothing says so).
			return Wakeup.min(limitedRetry, this.settings.pollInterval());
		}
		if (busy) {
			return this.settings.pollInterval();
		}
		return this.nextDue.untilNext(names)
			.map((wait) -> (wait.isNegative() || wait.isZero()) ? RECHECK : wait)
			.map((wait) -> Wakeup.min(wait, this.settings.pollInterval()))
			.orElse(this.settings.pollInterval());
	}

	/**
	 * Claim for a lane the tasks with a concurrency key and those without, each in its own
	 * claim. The keyed are claimed first every {@link #KEYED_EVERY}, so that a backlog without
	 * keys does not hold them back, and otherwise with the room the others leave while some are
	 * due or a new one was notified. Without keyed tasks, a claim is one statement, and the keyed
	 * claim's look for due ones runs every {@link #KEYED_EVERY}.
	 * @return how many were claimed
	 */
	private int claimKeyedAndPlain(Lane lane, Set<String> names, int room, boolean keyedArrived) {
		int claimed = 0;
		boolean keyedFirst = lane.keyedClaimDue(KEYED_EVERY);
		if (keyedFirst) {
			claimed += take(lane, claimKeyed(lane, names, room));
		}
		if (claimed < room) {
			claimed += claimPlain(lane, names, room - claimed);
		}
		if (!keyedFirst && claimed < room && (lane.keyedDue() || keyedArrived)) {
			claimed += take(lane, claimKeyed(lane, names, room - claimed));
		}
		return claimed;
	}

	// Claim tasks without a key where the lane's last claim stopped, or from the front. One that
	// resumed and took less than asked has taken all that is due of its priority after its
	// place; it is followed by one of the lower priorities, which leaves the lane's place as it
	// is: a task of the higher priority due later, a retry say, comes after it.
	private int claimPlain(Lane lane, Set<String> names, int limit) {
		String node = this.settings.nodeId();
		Position after = lane.claimAfter();
		Claimed plain = this.table.claim(node, names, lane.queues(), lane.except(), limit, after);
		lane.claimed(after, plain.last());
		int claimed = take(lane, plain.rows());
		if (after == null || claimed == limit) {
			return claimed;
		}
		return claimed + take(lane, this.table
			.claimBelow(node, names, lane.queues(), lane.except(), limit - claimed, after.priority())
			.rows());
	}

	private List<TaskRow> claimKeyed(Lane lane, Set<String> names, int room) {
		KeyedClaim claim = this.keyedTable.claim(this.settings.nodeId(), names, lane.queues(), lane.except(), room);
		lane.keyedClaimed(claim.due());
		return claim.rows();
	}

	/**
	 * Say that tasks without a key were enqueued: a lane whose claims go on past their place
	 * goes back for them.
	 * @param place where they are in the claim index, or {@code null} if their notification did
	 * not say: the next claims start from the front
	 */
	void enqueued(@Nullable Position place) {
		Position at = place;
		if (at != null) {
			this.nextDue.notified(at);
		}
		else {
			this.nextDue.changed();
			at = Lane.FRONT;
		}
		this.enqueuedAt.accumulateAndGet(at, (first, next) -> (first == null || next.notAfter(first)) ? next : first);
	}

	/**
	 * Say that a task with a concurrency key was enqueued: the next claim looks for keyed tasks.
	 */
	void keyedArrived() {
		this.nextDue.changed();
		this.keyedArrived.set(true);
	}

	/**
	 * Say that this node wrote a retry or a snooze, which no notification tells of, or ended a
	 * task of a queue limited across the cluster: the dispatcher claims again, and looks for the
	 * next due time.
	 */
	void retried() {
		this.nextDue.changed();
		this.wakeup.signal();
	}

	/**
	 * Take claimed tasks into a lane and start what its slots allow.
	 * @return how many were claimed
	 */
	private int take(Lane lane, List<TaskRow> rows) {
		// Held from here until their outcome is written: a claim lost before this line (its
		// answer never read) leaves strays for the supervisor.
		this.held.holdAll(rows);
		lane.buffer().addAll(rows);
		this.laneWorkers.startBuffered(lane);
		return rows.size();
	}

	/**
	 * How many tasks wait in the buffers for a free slot: claimed, so {@code RUNNING} in the
	 * database, but not started. A glimpse taken without a lock, for the node's heartbeat.
	 * @return the tasks claimed ahead
	 */
	int claimedAhead() {
		return this.lanes.stream().mapToInt((lane) -> lane.buffer().size()).sum();
	}

	/**
	 * Give back the tasks claimed ahead that no worker started; called once the dispatcher has
	 * stopped.
	 * @return how many were given back
	 */
	int giveBack() {
		List<Long> ids = new ArrayList<>();
		for (Lane lane : this.lanes) {
			TaskRow row;
			while ((row = lane.buffer().poll()) != null) {
				ids.add(row.id());
			}
		}
		if (ids.isEmpty()) {
			return 0;
		}
		int given = this.table.releaseMany(this.settings.nodeId(), ids);
		ids.forEach(this.held::letGo);
		return given;
	}

	void stop() {
		this.running = false;
		this.wakeup.signal();
	}

	private boolean sleep(Duration duration) {
		try {
			this.wakeup.await(duration);
			return this.running;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

}
