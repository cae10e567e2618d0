package dev.autotask;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A page of tasks {@link Autotask#find(TaskQuery, String) found}, newest first, with how many
 * tasks match the query in each status.
 *
 * @param tasks the tasks of this page
 * @param counts how many tasks match the query's other criteria, by status (the query's own
 * statuses and cursor left out, so that every status's count shows beside the chosen ones),
 * counted up to {@link #COUNT_CAP}: a count of {@code COUNT_CAP} means that many or more, so
 * that a page costs the same over a million tasks as over a thousand
 * ({@link Autotask#count(TaskQuery, String)} counts every match); statuses without tasks are
 * left out
 * @param next the id to continue from ({@link TaskQuery.Builder#before(Long)}), or {@code null}
 * on the last page
 */
public record TaskPage(List<TaskInfo> tasks, Map<TaskStatus, Long> counts, @Nullable Long next) {

	/**
	 * The most tasks a page counts in each status.
	 */
	public static final long COUNT_CAP = 10_000;

	/**
	 * Whether a status's count reached the cap, and so stands for that many or more.
	 * @param status the status
	 * @return whether the count is capped
	 */
	public boolean capped(TaskStatus status) {
		return this.counts.getOrDefault(status, 0L) >= COUNT_CAP;
	}

	/**
	 * How many tasks match the query, its statuses included (each status's count capped).
	 * @param query the query this page answers
	 * @return the count
	 */
	public long total(TaskQuery query) {
		return this.counts.entrySet()
			.stream()
			.filter((count) -> query.statuses().isEmpty() || query.statuses().contains(count.getKey()))
			.mapToLong(Map.Entry::getValue)
			.sum();
	}

}
