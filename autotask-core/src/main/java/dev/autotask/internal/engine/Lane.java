package dev.autotask.internal.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

import dev.autotask.engine.EngineSettings;
import dev.autotask.engine.RateLimit;
import dev.autotask.internal.jdbc.TaskClaimTable.Position;
import dev.autotask.internal.jdbc.TaskRow;
import org.jspecify.annotations.Nullable;

/**
 * Queues that share worker slots: either the listed queues, or every queue but them; with the
 * tasks claimed for them that wait for a slot.
 *
 * <p>
 * A lane claims ahead into its buffer, so that a worker that ends a task takes the next at once
 * instead of waiting for a claim's round trip. How far ahead follows how long the lane's tasks
 * run: as many as its workers end in {@link #AHEAD_WINDOW}, at most {@link #MAX_AHEAD}. Tasks
 * that run longer than that window are claimed one per free slot, none ahead: they are never
 * hoarded while other nodes idle, and one still waiting stays {@code PENDING}, so that
 * cancelling it cancels it at once. A lane that has not yet timed a task assumes a second each.
 * It claims again once half of what it can hold is free.
 */
final class Lane {

	/** The work a lane claims ahead: what its workers end in this time. */
	static final Duration AHEAD_WINDOW = Duration.ofMillis(20);

	/** The most tasks a lane claims ahead of its workers, however quick they are. */
	static final int MAX_AHEAD = 256;

	/**
	 * How long a lane's claims may go on where the one before stopped: then one starts from the
	 * front of the claim index again, and finds any task left behind.
	 */
	static final Duration RESUME_FOR = Duration.ofSeconds(1);

	/** A place in the claim index before every task. */
	static final Position FRONT = new Position(Integer.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE);

	private final List<String> queues;

	private final boolean except;

	private final int size;

	// The most of the lane's queue running at once in the cluster, 0 if it has no such limit.
	private final int global;

	// The time between two starts of the lane's queue in the cluster, null if they are not limited.
	private final @Nullable Duration rateInterval;

	private final Semaphore slots;

	private final Queue<TaskRow> buffer = new ConcurrentLinkedQueue<>();

	// When the lane last claimed its tasks with a concurrency key (System.nanoTime()); only the
	// dispatcher's thread reads and writes it.
	private long keyedClaimedAt = System.nanoTime();

	// Whether the lane's last claim of keyed tasks found any due; only the dispatcher's thread
	// reads and writes it.
	private boolean keyedDue = true;

	// The place of the last task the lane's claims of tasks without a key took: nothing due is
	// left before it but what a claim from the front finds (see claimAfter). Only the
	// dispatcher's thread reads and writes it, and the next two fields.
	private @Nullable Position resumeAfter;

	// When the lane last claimed tasks without a key from the front (System.nanoTime()).
	private long claimedFromFrontAt = System.nanoTime();

	// Whether a task was enqueued before resumeAfter since the lane's last claim from the front.
	private boolean enqueuedBefore;

	// A moving average of how long the lane's tasks run, updated by its workers without a lock:
	// a lost update only delays the average a little. It starts slow: a new lane claims little.
	private volatile long runNanos = Duration.ofSeconds(1).toNanos();

	private Lane(List<String> queues, boolean except, int size, int global, @Nullable Duration rateInterval) {
		this.queues = queues;
		this.except = except;
		this.size = size;
		this.global = global;
		this.rateInterval = rateInterval;
		this.slots = new Semaphore(size);
	}

	/**
	 * The lanes of a node: the default lane, then one per queue with a concurrency of its own or
	 * a limit across the cluster. A limited queue runs on the slots it has of its own, or else as
	 * many as the default lane's; never more than its limit on running tasks.
	 */
	static List<Lane> all(EngineSettings settings) {
		Map<String, Integer> own = settings.queueConcurrency();
		Map<String, Integer> global = settings.queueGlobalConcurrency();
		Map<String, RateLimit> rates = settings.queueRateLimits();
		Set<String> separate = new TreeSet<>(own.keySet());
		separate.addAll(global.keySet());
		separate.addAll(rates.keySet());
		List<Lane> lanes = new ArrayList<>();
		lanes.add(Lane.of(List.copyOf(separate), true, settings.workers()));
		for (String queue : separate) {
			int limit = global.getOrDefault(queue, 0);
			RateLimit rate = rates.get(queue);
			if (limit == 0 && rate == null) {
				lanes.add(Lane.of(List.of(queue), false, own.get(queue)));
			}
			else {
				int size = own.getOrDefault(queue, settings.workers());
				lanes.add(Lane.limited(queue, (limit > 0) ? Math.min(size, limit) : size, limit, rate));
			}
		}
		return lanes;
	}

	static Lane of(List<String> queues, boolean except, int size) {
		return new Lane(queues, except, size, 0, null);
	}

	/**
	 * The lane of one queue limited across the cluster. It claims ahead as any lane does, within
	 * what the limits leave: a task in its buffer counts against the limit on running tasks (it
	 * is RUNNING in the table), and spent its start.
	 * @param queue the queue
	 * @param size the node's worker slots for it
	 * @param global the most of its tasks running at once in the cluster, 0 for no limit
	 * @param rate the most of its tasks started per period in the cluster, or {@code null}
	 * @return the lane
	 */
	static Lane limited(String queue, int size, int global, @Nullable RateLimit rate) {
		return new Lane(List.of(queue), false, size, global, (rate != null) ? rate.interval() : null);
	}

	/**
	 * Whether the lane's queue is limited across the cluster.
	 * @return whether it has a limit on running tasks or on starts
	 */
	boolean limited() {
		return this.global > 0 || this.rateInterval != null;
	}

	/**
	 * The time between two starts of the lane's queue in the cluster.
	 * @return the interval, or {@code null} if its starts are not limited
	 */
	@Nullable Duration rateInterval() {
		return this.rateInterval;
	}

	/**
	 * The most of the lane's queue running at once in the cluster.
	 * @return the limit, 0 if it has none
	 */
	int global() {
		return this.global;
	}

	int size() {
		return this.size;
	}

	List<String> queues() {
		return this.queues;
	}

	boolean except() {
		return this.except;
	}

	Semaphore slots() {
		return this.slots;
	}

	Queue<TaskRow> buffer() {
		return this.buffer;
	}

	/**
	 * Whether the lane's tasks with a concurrency key are due a claim of their own.
	 * @param every how often they get one
	 * @return whether that long has passed since their last claim
	 */
	boolean keyedClaimDue(Duration every) {
		return System.nanoTime() - this.keyedClaimedAt >= every.toNanos();
	}

	/**
	 * Record a claim of the lane's keyed tasks.
	 * @param due whether any were due
	 */
	void keyedClaimed(boolean due) {
		this.keyedClaimedAt = System.nanoTime();
		this.keyedDue = due;
	}

	/**
	 * Whether the lane's last claim of keyed tasks found any due: until one finds none, they
	 * are claimed whenever the others leave room.
	 */
	boolean keyedDue() {
		return this.keyedDue;
	}

	/**
	 * Where the lane's next claim of tasks without a key starts: after the last task its claims
	 * took, for at most {@link #RESUME_FOR} since one started from the front; else from the
	 * front.
	 * <p>
	 * A claim from the front steps over the claim index's entries of every task claimed since the
	 * table was last vacuumed: with a steady flow of tasks, millions of them. A claim that resumes
	 * misses what is behind where it starts: tasks enqueued since with a higher priority, or by a
	 * transaction that began before it (their due time is its start), due ones that another
	 * node's claim skipped and then gave up, tasks handed back. Those that a notification says
	 * are behind send the next claim to the front ({@link #enqueued}), and the end of
	 * {@link #RESUME_FOR} finds the rest. A task enqueued now, of the same priority, is due after
	 * every task claimed so far, and so is a retry or a delayed task once it is due: each is found
	 * by a claim that resumes.
	 * @return the place to claim after, or {@code null} to claim from the front
	 */
	@Nullable Position claimAfter() {
		if (this.enqueuedBefore || System.nanoTime() - this.claimedFromFrontAt >= RESUME_FOR.toNanos()) {
			return null;
		}
		return this.resumeAfter;
	}

	/**
	 * Record a claim of tasks without a key.
	 * @param after where it started, as {@link #claimAfter()} said
	 * @param last the place of the last task it took, or {@code null} if none: the lane keeps its
	 * place
	 */
	void claimed(@Nullable Position after, @Nullable Position last) {
		if (after == null) {
			this.claimedFromFrontAt = System.nanoTime();
			this.enqueuedBefore = false;
		}
		if (last != null) {
			this.resumeAfter = last;
		}
	}

	/**
	 * Say that tasks were enqueued: if they are not after the lane's place, its next claim
	 * starts from the front.
	 * @param place the first of them in the claim index, {@link #FRONT} if not known
	 */
	void enqueued(Position place) {
		if (this.resumeAfter != null && place.notAfter(this.resumeAfter)) {
			this.enqueuedBefore = true;
		}
	}

	/**
	 * Count one task that ran for {@code nanos} into the lane's average.
	 */
	void ran(long nanos) {
		long average = this.runNanos;
		this.runNanos = average + (nanos - average) / 8;
	}

	/**
	 * How many tasks the lane holds at most: one per slot running, and those claimed ahead.
	 */
	int capacity() {
		long ahead = this.size * AHEAD_WINDOW.toNanos() / Math.max(1, this.runNanos);
		return this.size + (int) Math.min(MAX_AHEAD, ahead);
	}

	/**
	 * How many more tasks the lane can take now.
	 */
	int room() {
		int running = this.size - this.slots.availablePermits();
		return Math.max(0, capacity() - running - this.buffer.size());
	}

	/**
	 * The least room worth a claim: half of what the lane holds.
	 */
	int refill() {
		return Math.max(1, capacity() / 2);
	}

}
