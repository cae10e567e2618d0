package dev.autotask.internal.engine;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.autotask.internal.jdbc.TaskRow;

/**
 * The tasks this node holds in memory: claimed and waiting, running, or with an outcome still
 * to write. A task the database shows {@code RUNNING} on this node but that is not held here
 * was lost on the way (a claim whose answer never arrived, an outcome that could not be
 * written while the heap was full), and nothing would ever end it: the supervisor hands such
 * strays back.
 *
 * <p>
 * Each stage that holds a task counts it, and a task passes from one stage to the next by
 * being counted by the next before the previous lets go, so a task in hand is never missing
 * from {@link #ids()}, however the stages interleave.
 */
final class HeldTasks {

	private final Map<Long, Integer> counts = new ConcurrentHashMap<>();

	void hold(long id) {
		this.counts.merge(id, 1, Integer::sum);
	}

	void holdAll(List<TaskRow> rows) {
		rows.forEach((row) -> hold(row.id()));
	}

	void letGo(long id) {
		this.counts.computeIfPresent(id, (key, count) -> (count == 1) ? null : count - 1);
	}

	/**
	 * The tasks held now. A task held throughout the call is in it; one taken or let go
	 * meanwhile may be or not.
	 * @return the ids
	 */
	List<Long> ids() {
		return List.copyOf(this.counts.keySet());
	}

}
