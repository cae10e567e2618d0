package dev.autotask.internal.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * Runs statements sent at once, in one round trip (settings, then a query, then perhaps their
 * reset), and maps the rows of the first statement that returns any.
 */
final class FirstResultRows {

	private FirstResultRows() {
	}

	/**
	 * Run the statements.
	 * @param jdbc where to run them
	 * @param statements the statements, separated by semicolons; one of them returns rows
	 * @param params the parameters of all of them
	 * @param mapper the mapper of the rows
	 * @param <T> the type of a row
	 * @return the rows
	 */
	static <T> List<T> query(NamedParameterJdbcTemplate jdbc, String statements, Map<String, ?> params,
			RowMapper<T> mapper) {
		List<T> rows = jdbc.execute(statements, params,
				(PreparedStatement statement) -> rows(statement, mapper, statements));
		return (rows != null) ? rows : List.of();
	}

	/**
	 * Run a statement, its parameters set, and map the rows of the first of its statements that
	 * returns any.
	 * @param statement the statements, ready to run
	 * @param mapper the mapper of the rows
	 * @param sql the statements' text, to name them if none returns rows
	 * @param <T> the type of a row
	 * @return the rows
	 * @throws SQLException if the database refuses them
	 */
	static <T> List<T> rows(PreparedStatement statement, RowMapper<T> mapper, String sql) throws SQLException {
		statement.execute();
		// The settings' results come first, then the query's rows.
		while (statement.getResultSet() == null) {
			if (!statement.getMoreResults() && statement.getUpdateCount() == -1) {
				throw new IllegalStateException("The query returned no rows: " + sql);
			}
		}
		List<T> mapped = new ArrayList<>();
		try (ResultSet result = statement.getResultSet()) {
			while (result.next()) {
				mapped.add(mapper.mapRow(result, mapped.size()));
			}
		}
		return mapped;
	}

}
