package dev.autotask.internal.engine;

import java.time.Duration;
import java.util.List;

import dev.autotask.QueuePoint;
import dev.autotask.internal.jdbc.QueueMinuteTable;

/**
 * A queue's points for {@code Autotask.queueStats}: checks the window and picks the bucket, the
 * shortest of one, five and fifteen minutes that draws the window in at most 120 points, so that
 * a chart a few hundred pixels wide never gets more points than it can show.
 */
final class QueueStatsView {

	static final Duration MAX_WINDOW = Duration.ofDays(1);

	private static final int MAX_POINTS = 120;

	private static final List<Duration> STEPS = List.of(Duration.ofMinutes(1), Duration.ofMinutes(5),
			Duration.ofMinutes(15));

	private final QueueMinuteTable table;

	QueueStatsView(QueueMinuteTable table) {
		this.table = table;
	}

	List<QueuePoint> find(String queue, Duration window, String owner) {
		if (queue == null || queue.isBlank() || queue.length() > 100) {
			throw new IllegalArgumentException("Queue name must be 1 to 100 characters, got '" + queue + "'");
		}
		if (window == null || window.compareTo(Duration.ofMinutes(1)) < 0 || window.compareTo(MAX_WINDOW) > 0) {
			throw new IllegalArgumentException(
					"The window of a queue's stats must be from PT1M (a minute) to P1D (a day), got " + window);
		}
		// Whole minutes, rounded up: a window of 90 s draws two.
		long minutes = window.plusSeconds(59).toMinutes();
		Duration step = STEPS.stream()
			.filter((candidate) -> ceilDiv(minutes, candidate.toMinutes()) <= MAX_POINTS)
			.findFirst()
			.orElseThrow();
		return this.table.find(owner, queue, step, (int) ceilDiv(minutes, step.toMinutes()));
	}

	private static long ceilDiv(long dividend, long divisor) {
		return (dividend + divisor - 1) / divisor;
	}

}
