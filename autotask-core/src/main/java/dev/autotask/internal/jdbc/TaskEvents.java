package dev.autotask.internal.jdbc;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * How the statements of {@code autotask_task} that end tasks write their events to
 * {@code autotask_outbox} (created by {@code V3__task_api.sql}, with the {@code CANCELLED}
 * outcome from {@code V6__outbox_cancelled_outcome.sql}), shared by every class that ends
 * tasks. With events off, each statement is left as it is.
 *
 * @param names the table names
 * @param on whether a task's end also writes its event to the outbox
 */
record TaskEvents(TableNames names, boolean on) {

	// The events of the tasks a statement ended, as one row of the outbox (V27): one element of
	// each array per task, each with an id of its own from the outbox's sequence. No row when the
	// statement ended none. The arrays take the ended rows in one order, so their elements match.
	private static final String INSERT = """
			INSERT INTO %1$s (event_ids, task_ids, names, owners, outcomes, results, errors)
			SELECT array_agg(nextval('%2$s')), array_agg(id), array_agg(name), array_agg(owner), array_agg(status),
				array_agg(result), array_agg(error)
			FROM ended WHERE %3$s
			HAVING count(*) > 0""";

	// With events on, the tasks that a cancel, a snooze or a hand-back ends CANCELLED have their
	// event written in the same statement, as every other end does; the tasks it only changes
	// (asked to stop, snoozed, handed back) have none.
	private static final String WITH_CANCEL_EVENTS = """
			WITH ended AS (%s),
			event AS (%s)
			SELECT id, status, CASE WHEN status = 'CANCELLED' THEN pg_notify(:channel, 'outbox') END FROM ended""";

	// With events on, a task's end and its event are one statement: neither exists without the
	// other, and the event is published only once the end has committed.
	private static final String WITH_EVENT = """
			WITH ended AS (%s RETURNING id, name, owner, status, result, error),
			event AS (%s)
			SELECT count(*), pg_notify(:channel, 'outbox') FROM ended""";

	/**
	 * A statement that returns a row per task it changes, and may end some {@code CANCELLED}: with
	 * events on, the same that also writes the events of those it cancels.
	 * @param statement the statement, returning {@code id, name, owner, status, result, error}
	 * @return the statement to run
	 */
	String withCancelEvents(String statement) {
		return this.on ? WITH_CANCEL_EVENTS.formatted(statement, insertEvents("status = 'CANCELLED'")) : statement;
	}

	/**
	 * An update that ends one task: with events on, the same that also writes its event.
	 * @param update the update, with no {@code RETURNING} clause
	 * @return the statement to run
	 */
	String withEvent(String update) {
		return this.on ? WITH_EVENT.formatted(update, insertEvents("true")) : update;
	}

	/**
	 * The insert, for a statement whose {@code ended} returns {@code id, name, owner, status,
	 * result, error}, of the events of the rows it ended, as one outbox row.
	 * @param which the condition on {@code ended} that picks the rows that ended
	 * @return the insert
	 */
	String insertEvents(String which) {
		return INSERT.formatted(this.names.outbox(), this.names.outboxSequence(), which);
	}

	/**
	 * Bind the channel that a statement built by this class notifies, when events are on.
	 * @param statement the statement
	 * @return the statement, ready to run
	 */
	JdbcClient.StatementSpec withChannel(JdbcClient.StatementSpec statement) {
		return this.on ? statement.param("channel", this.names.channel()) : statement;
	}

	/**
	 * Run a statement built by {@link #withCancelEvents}.
	 * @param statement the statement, with its parameters but the channel
	 * @return how many tasks it changed
	 */
	int endAll(JdbcClient.StatementSpec statement) {
		return withChannel(statement).query((rs, row) -> rs.getLong(1)).list().size();
	}

	/**
	 * Run a statement built by {@link #withEvent}.
	 * @param statement the statement, with its parameters but the channel
	 * @return whether it ended its task
	 */
	boolean ended(JdbcClient.StatementSpec statement) {
		if (!this.on) {
			return statement.update() == 1;
		}
		return statement.param("channel", this.names.channel()).query((rs, row) -> rs.getLong(1)).single() == 1;
	}

}
