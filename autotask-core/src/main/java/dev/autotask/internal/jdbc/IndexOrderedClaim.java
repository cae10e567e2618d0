package dev.autotask.internal.jdbc;

import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * Runs a claim with the planner told to walk the claim index in its order rather than sort, in
 * the claim's own round trip; and the look-ups around a claim that must read an index of few
 * rows the same way (due keyed tasks, running tasks).
 * <p>
 * Planned from statistics, a claim is fast only while they are right about the pending tasks.
 * Statistics gathered while none was pending (a new table, or a quiet queue of ended tasks) say
 * that almost none is, and a burst that comes before the next analyze then gets a plan that
 * fetches every pending task by name and sorts them all, for each claim: a second a claim at a
 * million tasks, until autovacuum analyzes the table (never, with it off). With sorting
 * discouraged, the only plan left that yields the claim's order is the index's, which stops at
 * the claim's limit.
 * <p>
 * JIT compilation is turned off with it. The claim's last step sorts the claimed rows, which no
 * plan avoids, so its cost includes the planner's penalty for a discouraged step, far above
 * {@code jit_above_cost}: compiling the claim then took 300 ms of a claim that runs in 0.4.
 * <p>
 * And the claim is planned once per connection, not per claim ({@code plan_cache_mode =
 * force_generic_plan}, which applies once the driver prepares it on the server, from its fifth
 * run). Left to choose, PostgreSQL compared each custom plan with the generic one, both carrying
 * the penalty above, and kept planning every claim anew: a quarter of a millisecond of a claim on an
 * idle node, and of the latency from a send to its task's start (1.30x to 1.35x the bound's,
 * against 1.14x to 1.21x planned once, on 2 cores). With sorting off, a plan that ignores the
 * parameters' values is the same walk of the claim index.
 * <p>
 * The settings are set for the session before the claim and reset after it, all the statements
 * sent at once and run in one transaction, so no other statement of the pooled connection sees
 * them: should the claim fail, its transaction's rollback undoes the settings too.
 */
final class IndexOrderedClaim {

	private static final String BEFORE = """
			SET enable_sort = off;
			SET jit = off;
			SET plan_cache_mode = force_generic_plan;
			""";

	private static final String AFTER = ";\nRESET enable_sort;\nRESET jit;\nRESET plan_cache_mode";

	private final NamedParameterJdbcTemplate jdbc;

	IndexOrderedClaim(DataSource dataSource) {
		this.jdbc = new NamedParameterJdbcTemplate(dataSource);
	}

	/**
	 * The statements to send for a claim.
	 * @param query the claim (or a query), a single statement that returns rows
	 * @return the query between the settings and their reset
	 */
	static String of(String query) {
		return BEFORE + query + AFTER;
	}

	/**
	 * Run a claim made by {@link #of}.
	 * @param statements the claim between the settings and their reset
	 * @param params the claim's parameters
	 * @return the claimed rows
	 */
	List<TaskRow> claim(String statements, Map<String, ?> params) {
		return query(statements, params, TaskClaimTable.CLAIMED_ROW);
	}

	/**
	 * Run a query made by {@link #of}: the look for due keyed tasks walks an index in the claim's
	 * order too, and stops at the first.
	 * @param statements the query between the settings and their reset
	 * @param params the query's parameters
	 * @param mapper the mapper of the query's rows
	 * @param <T> the type of a row
	 * @return the rows
	 */
	<T> List<T> query(String statements, Map<String, ?> params, RowMapper<T> mapper) {
		return FirstResultRows.query(this.jdbc, statements, params, mapper);
	}

}
