package dev.autotask.internal.engine;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;

import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.transaction.CannotCreateTransactionException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ConnectionLoss}: which failed statements are worth trying again once the
 * database is back.
 */
class ConnectionLossTests {

	private static final SQLException LOST = new SQLException("An I/O error occurred while sending to the backend",
			"08006");

	@Test
	void lostOrRefusedConnectionIsAConnectionLoss() {
		assertThat(ConnectionLoss.matches(new CannotGetJdbcConnectionException("no connection", LOST))).isTrue();
		assertThat(ConnectionLoss.matches(new org.springframework.dao.DataAccessResourceFailureException("08006", LOST)))
			.isTrue();
		assertThat(ConnectionLoss.matches(new CannotCreateTransactionException("no connection", LOST))).isTrue();
		assertThat(ConnectionLoss.matches(new RecoverableDataAccessException("recoverable", LOST))).isTrue();
	}

	@Test
	void transientFailureIsWorthAnotherTry() {
		assertThat(ConnectionLoss.matches(new QueryTimeoutException("timed out"))).isTrue();
		assertThat(ConnectionLoss.matches(new CannotAcquireLockException("locked"))).isTrue();
	}

	@Test
	void statementTheDatabaseRefusedIsNot() {
		SQLException refused = new SQLException("refused", "23505");
		assertThat(ConnectionLoss.matches(new DuplicateKeyException("duplicate", refused))).isFalse();
		assertThat(ConnectionLoss.matches(new DataIntegrityViolationException("too long", refused))).isFalse();
		assertThat(ConnectionLoss.matches(new BadSqlGrammarException("claim", "SELECT", refused))).isFalse();
		assertThat(ConnectionLoss.matches(new UncategorizedSQLException("claim", "SELECT", refused))).isFalse();
		assertThat(ConnectionLoss.matches(new IllegalStateException("not a statement"))).isFalse();
	}

	@Test
	void describesADatabaseFailureByItsMostSpecificCause() {
		assertThat(ConnectionLoss.describe(new CannotGetJdbcConnectionException("no connection", LOST)))
			.isEqualTo(LOST.toString());
		assertThat(ConnectionLoss.describe(new OutOfMemoryError("Java heap space")))
			.isEqualTo("java.lang.OutOfMemoryError: Java heap space");
	}

}
