package dev.autotask;

import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

/**
 * Which tasks to find, across all task names: by status, queue, name, time range, who started
 * them, the node they run on, the group they are members of, and text in their arguments or error. Every criterion left out matches all; those given
 * must all hold. Results come newest first, a page at a time, continued {@link #before()} the
 * last id of the previous page (keyset paging: a page costs the same however deep it is).
 * <pre class="code">
 * TaskQuery failures = TaskQuery.builder().status(TaskStatus.FAILURE).name("mail.send")
 * 	.finishedFrom(Instant.now().minus(Duration.ofHours(1))).build();
 * TaskPage page = autotask.find(failures, owner);
 * </pre>
 *
 * @param statuses the statuses to match; empty for any
 * @param queue the queue, or {@code null} for any
 * @param name the task's name, or {@code null} for any
 * @param createdFrom created at or after, or {@code null}
 * @param createdTo created before, or {@code null}
 * @param finishedFrom finished at or after, or {@code null}
 * @param finishedTo finished before, or {@code null}
 * @param startedBy the user who started the tasks (see {@link SendOptions#startedBy(String)}),
 * or {@code null} for any
 * @param argsContain a JSON object or array the arguments contain (PostgreSQL's {@code @>}:
 * {@code {"customer": 42}} matches arguments with that field among others), or {@code null}
 * @param errorContains text the error's message contains, ignoring case, or {@code null}
 * @param node the node that runs or last ran the tasks (see {@link NodeInfo#id()}), or
 * {@code null} for any
 * @param group the group the tasks are members of (see {@link Autotask#sendGroup}), or
 * {@code null} for any task, in a group or not
 * @param before only tasks with a smaller id, to continue after a page; {@code null} from the
 * newest
 * @param limit the most tasks in a page, 1 to {@value #MAX_LIMIT}
 * @see Autotask#find(TaskQuery, String)
 */
public record TaskQuery(Set<TaskStatus> statuses, @Nullable String queue, @Nullable String name,
		@Nullable Instant createdFrom, @Nullable Instant createdTo, @Nullable Instant finishedFrom,
		@Nullable Instant finishedTo, @Nullable String startedBy, @Nullable String argsContain,
		@Nullable String errorContains, @Nullable String node, @Nullable Long group, @Nullable Long before,
		int limit) {

	/**
	 * The page size when none is given.
	 */
	public static final int DEFAULT_LIMIT = 50;

	/**
	 * The largest page.
	 */
	public static final int MAX_LIMIT = 500;

	/**
	 * Check the criteria.
	 * @throws IllegalArgumentException naming the first criterion that is out of range
	 */
	public TaskQuery {
		statuses = statuses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(statuses));
		checkLength("queue", queue, 100);
		checkLength("name", name, 200);
		checkLength("startedBy", startedBy, 200);
		checkLength("argsContain", argsContain, 2000);
		checkLength("errorContains", errorContains, 200);
		checkLength("node", node, 200);
		checkRange("created", createdFrom, createdTo);
		checkRange("finished", finishedFrom, finishedTo);
		if (group != null && group <= 0) {
			throw new IllegalArgumentException("group must be a group id (1 or more), was " + group);
		}
		if (before != null && before <= 0) {
			throw new IllegalArgumentException("before must be a task id (1 or more), was " + before);
		}
		if (limit < 1 || limit > MAX_LIMIT) {
			throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
		}
	}

	/**
	 * A query that matches every task, a page of {@value #DEFAULT_LIMIT}.
	 * @return the query
	 */
	public static TaskQuery all() {
		return builder().build();
	}

	/**
	 * Start a query that matches every task.
	 * @return the builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * A builder holding this query's criteria, to change some of them.
	 * @return the builder
	 */
	public Builder toBuilder() {
		Builder builder = new Builder();
		builder.statuses = this.statuses.isEmpty() ? EnumSet.noneOf(TaskStatus.class) : EnumSet.copyOf(this.statuses);
		builder.queue = this.queue;
		builder.name = this.name;
		builder.createdFrom = this.createdFrom;
		builder.createdTo = this.createdTo;
		builder.finishedFrom = this.finishedFrom;
		builder.finishedTo = this.finishedTo;
		builder.startedBy = this.startedBy;
		builder.argsContain = this.argsContain;
		builder.errorContains = this.errorContains;
		builder.node = this.node;
		builder.group = this.group;
		builder.before = this.before;
		builder.limit = this.limit;
		return builder;
	}

	/**
	 * The same criteria without the cursor and the page size: what a bulk action on every match
	 * acts on.
	 * @return the query from the newest task on
	 */
	public TaskQuery fromNewest() {
		return toBuilder().before(null).build();
	}

	/**
	 * The criteria given, for a log line: {@code TaskQuery[status=[FAILURE], name=mail.send]}.
	 */
	@Override
	public String toString() {
		StringJoiner given = new StringJoiner(", ", "TaskQuery[", "]");
		if (!this.statuses.isEmpty()) {
			given.add("status=" + new TreeSet<>(this.statuses));
		}
		Map<String, @Nullable Object> criteria = new LinkedHashMap<>();
		criteria.put("queue", this.queue);
		criteria.put("name", this.name);
		criteria.put("createdFrom", this.createdFrom);
		criteria.put("createdTo", this.createdTo);
		criteria.put("finishedFrom", this.finishedFrom);
		criteria.put("finishedTo", this.finishedTo);
		criteria.put("startedBy", this.startedBy);
		criteria.put("argsContain", this.argsContain);
		criteria.put("errorContains", this.errorContains);
		criteria.put("node", this.node);
		criteria.put("group", this.group);
		criteria.put("before", this.before);
		criteria.forEach((criterion, value) -> {
			if (value != null) {
				given.add(criterion + "=" + value);
			}
		});
		return given.toString();
	}

	private static void checkLength(String criterion, @Nullable String value, int max) {
		if (value != null && (value.isBlank() || value.length() > max)) {
			throw new IllegalArgumentException(
					criterion + " must be 1 to " + max + " characters and not blank, was \"" + shorten(value) + "\"");
		}
	}

	private static void checkRange(String criterion, @Nullable Instant from, @Nullable Instant to) {
		if (from != null && to != null && !from.isBefore(to)) {
			throw new IllegalArgumentException(
					criterion + "From (" + from + ") must be before " + criterion + "To (" + to + ")");
		}
	}

	private static String shorten(String value) {
		return (value.length() > 40) ? value.substring(0, 40) + "…" : value;
	}

	/**
	 * Builds a {@link TaskQuery}; each method sets one criterion.
	 */
	public static final class Builder {

		private EnumSet<TaskStatus> statuses = EnumSet.noneOf(TaskStatus.class);

		private @Nullable String queue;

		private @Nullable String name;

		private @Nullable Instant createdFrom;

		private @Nullable Instant createdTo;

		private @Nullable Instant finishedFrom;

		private @Nullable Instant finishedTo;

		private @Nullable String startedBy;

		private @Nullable String argsContain;

		private @Nullable String errorContains;

		private @Nullable String node;

		private @Nullable Long group;

		private @Nullable Long before;

		private int limit = DEFAULT_LIMIT;

		private Builder() {
		}

		/**
		 * Match tasks in any of these statuses.
		 * @param statuses the statuses, none for any
		 * @return this builder
		 */
		public Builder status(TaskStatus... statuses) {
			this.statuses = EnumSet.noneOf(TaskStatus.class);
			this.statuses.addAll(Set.of(statuses));
			return this;
		}

		/**
		 * Match tasks in any of these statuses.
		 * @param statuses the statuses, empty for any
		 * @return this builder
		 */
		public Builder statuses(Set<TaskStatus> statuses) {
			this.statuses = statuses.isEmpty() ? EnumSet.noneOf(TaskStatus.class) : EnumSet.copyOf(statuses);
			return this;
		}

		/**
		 * Match the tasks of one queue.
		 * @param queue the queue, or {@code null} for any
		 * @return this builder
		 */
		public Builder queue(@Nullable String queue) {
			this.queue = queue;
			return this;
		}

		/**
		 * Match the tasks of one name.
		 * @param name the task's name, or {@code null} for any
		 * @return this builder
		 */
		public Builder name(@Nullable String name) {
			this.name = name;
			return this;
		}

		/**
		 * Match tasks created at or after a time.
		 * @param from the time, or {@code null}
		 * @return this builder
		 */
		public Builder createdFrom(@Nullable Instant from) {
			this.createdFrom = from;
			return this;
		}

		/**
		 * Match tasks created before a time.
		 * @param to the time, or {@code null}
		 * @return this builder
		 */
		public Builder createdTo(@Nullable Instant to) {
			this.createdTo = to;
			return this;
		}

		/**
		 * Match tasks that finished at or after a time.
		 * @param from the time, or {@code null}
		 * @return this builder
		 */
		public Builder finishedFrom(@Nullable Instant from) {
			this.finishedFrom = from;
			return this;
		}

		/**
		 * Match tasks that finished before a time.
		 * @param to the time, or {@code null}
		 * @return this builder
		 */
		public Builder finishedTo(@Nullable Instant to) {
			this.finishedTo = to;
			return this;
		}

		/**
		 * Match the tasks one user started.
		 * @param user the user, or {@code null} for any
		 * @return this builder
		 */
		public Builder startedBy(@Nullable String user) {
			this.startedBy = user;
			return this;
		}

		/**
		 * Match tasks whose arguments contain a JSON value.
		 * @param json a JSON object or array, or {@code null}
		 * @return this builder
		 */
		public Builder argsContain(@Nullable String json) {
			this.argsContain = json;
			return this;
		}

		/**
		 * Match tasks whose error message contains a text, ignoring case.
		 * @param text the text, or {@code null}
		 * @return this builder
		 */
		public Builder errorContains(@Nullable String text) {
			this.errorContains = text;
			return this;
		}

		/**
		 * Match the tasks of one node: with {@link TaskStatus#RUNNING}, those it runs now
		 * (claimed ahead ones included).
		 * @param nodeId the node's id (see {@link NodeInfo#id()}), or {@code null} for any
		 * @return this builder
		 */
		public Builder node(@Nullable String nodeId) {
			this.node = nodeId;
			return this;
		}

		/**
		 * Match the members of one group.
		 * @param groupId the group's id (see {@link TaskGroup#id()}), or {@code null} for any
		 * @return this builder
		 */
		public Builder group(@Nullable Long groupId) {
			this.group = groupId;
			return this;
		}

		/**
		 * Continue after a page: match only tasks older than this id.
		 * @param id the last id of the previous page ({@link TaskPage#next()}), or {@code null}
		 * @return this builder
		 */
		public Builder before(@Nullable Long id) {
			this.before = id;
			return this;
		}

		/**
		 * The most tasks in a page.
		 * @param limit 1 to {@value TaskQuery#MAX_LIMIT}
		 * @return this builder
		 */
		public Builder limit(int limit) {
			this.limit = limit;
			return this;
		}

		/**
		 * Build the query.
		 * @return the query
		 * @throws IllegalArgumentException naming a criterion that is out of range
		 */
		public TaskQuery build() {
			return new TaskQuery(this.statuses, this.queue, this.name, this.createdFrom, this.createdTo,
					this.finishedFrom, this.finishedTo, this.startedBy, this.argsContain, this.errorContains,
					this.node, this.group, this.before, this.limit);
		}

	}

}
