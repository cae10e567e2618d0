package dev.autotask.internal.supervisor;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import dev.autotask.testsupport.EngineProcess;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What engine processes ({@link EngineProcess}) leave in the test's database, read on the
 * database clock as the engines' own times are: the lease, and the runs of the work task.
 */
final class ProcessRecords {

	private final JdbcClient jdbc;

	ProcessRecords(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * The database clock, read now: not at the start of a transaction.
	 * @return the time
	 */
	Instant now() {
		return this.jdbc.sql("SELECT clock_timestamp() AS now").query((rs, row) -> instant(rs, "now")).single();
	}

	/**
	 * The lease that has not lapsed, if any.
	 * @return the lease
	 */
	Optional<Lease> lease() {
		return lease(" WHERE expires_at > now()");
	}

	/**
	 * The lease's row, lapsed or not.
	 * @return the lease, empty before the first election
	 */
	Optional<Lease> leaseRow() {
		return lease("");
	}

	/**
	 * The runs of the work task, from the work log.
	 * @return each n's runs, in the order they started
	 */
	Map<Integer, List<Run>> runs() {
		return this.jdbc.sql("SELECT n, node, started_at, ended_at FROM work_log ORDER BY id")
			.query((rs, row) -> new Run(rs.getInt("n"), rs.getString("node"), instant(rs, "started_at"),
					instant(rs, "ended_at")))
			.list()
			.stream()
			.collect(Collectors.groupingBy(Run::n));
	}

	private Optional<Lease> lease(String where) {
		return this.jdbc.sql("SELECT leader_id, elected_at, expires_at FROM autotask_leader" + where)
			.query((rs, row) -> new Lease(rs.getString("leader_id"), instant(rs, "elected_at"),
					instant(rs, "expires_at")))
			.optional();
	}

	static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
		OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
		return (value != null) ? value.toInstant() : null;
	}

	record Lease(String leaderId, Instant electedAt, Instant expiresAt) {

	}

	record Run(int n, String node, Instant startedAt, @Nullable Instant endedAt) {

	}

}
