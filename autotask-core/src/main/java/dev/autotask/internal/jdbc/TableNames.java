package dev.autotask.internal.jdbc;

import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * The names autotask's tables and notification channel have in one schema.
 *
 * @param schema the schema, or {@code null} for the connection's search path
 */
public record TableNames(@Nullable String schema) {

	private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,49}");

	public TableNames {
		if (schema != null && !IDENTIFIER.matcher(schema).matches()) {
			throw new IllegalArgumentException("Schema name '" + schema
					+ "' is not a plain identifier: use letters, digits and _, starting with a letter or _, at most 50");
		}
	}

	/**
	 * Names in the connection's default schema.
	 * @return the names
	 */
	public static TableNames defaults() {
		return new TableNames(null);
	}

	/**
	 * The task table.
	 * @return its qualified name
	 */
	public String task() {
		return qualify("autotask_task");
	}

	/**
	 * The leader table.
	 * @return its qualified name
	 */
	public String leader() {
		return qualify("autotask_leader");
	}

	/**
	 * The node table.
	 * @return its qualified name
	 */
	public String node() {
		return qualify("autotask_node");
	}

	/**
	 * The outbox of task events.
	 * @return its qualified name
	 */
	public String outbox() {
		return qualify("autotask_outbox");
	}

	/**
	 * The outbox's events, one row each, however they are stored (a view, V27).
	 * @return its qualified name
	 */
	public String outboxEvent() {
		return qualify("autotask_outbox_event");
	}

	/**
	 * The sequence of the outbox's row ids, which also numbers the events of a row of many.
	 * @return its qualified name
	 */
	public String outboxSequence() {
		return qualify("autotask_outbox_id_seq");
	}

	/**
	 * The queue table.
	 * @return its qualified name
	 */
	public String queue() {
		return qualify("autotask_queue");
	}

	/**
	 * The table of each queue's counts and samples per minute.
	 * @return its qualified name
	 */
	public String queueMinute() {
		return qualify("autotask_queue_minute");
	}

	/**
	 * The group table: groups of tasks with a callback.
	 * @return its qualified name
	 */
	public String group() {
		return qualify("autotask_group");
	}

	/**
	 * The key rate table: when each rate-limited concurrency key may start its next task.
	 * @return its qualified name
	 */
	public String keyRate() {
		return qualify("autotask_key_rate");
	}

	/**
	 * The fire table.
	 * @return its qualified name
	 */
	public String fire() {
		return qualify("autotask_fire");
	}

	/**
	 * The schedule table: which schedules are paused.
	 * @return its qualified name
	 */
	public String schedule() {
		return qualify("autotask_schedule");
	}

	/**
	 * The schedules created at run time.
	 * @return its qualified name
	 */
	public String runtimeSchedule() {
		return qualify("autotask_runtime_schedule");
	}

	/**
	 * The channel that enqueues notify and the engine listens on.
	 * @return the channel name
	 */
	public String channel() {
		return (this.schema != null) ? "autotask_" + this.schema.toLowerCase(java.util.Locale.ROOT) : "autotask";
	}

	private String qualify(String table) {
		return (this.schema != null) ? "\"" + this.schema + "\"." + table : table;
	}

}
