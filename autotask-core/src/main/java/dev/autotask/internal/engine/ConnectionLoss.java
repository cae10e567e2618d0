package dev.autotask.internal.engine;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Tells a failed statement that failed for want of a database (connection refused or lost, no
 * pooled connection in time), and is worth trying again once it is back, from one the database
 * refused, which would fail the same way again.
 *
 * <p>
 * Spring translates a lost connection (SQL state class 08, and 57 for a server shutting down)
 * to a {@link DataAccessResourceFailureException}, which is, despite the name, a
 * {@code NonTransientDataAccessException}: so the test is on that type, not on
 * transient-or-not. A refused statement is any other {@code NonTransientDataAccessException}:
 * a constraint, a type, bad SQL.
 */
final class ConnectionLoss {

	private ConnectionLoss() {
	}

	/**
	 * Whether a statement failed for want of a database rather than because the database
	 * refused it.
	 * @param ex what the statement threw
	 * @return whether to try again once the database is back
	 */
	static boolean matches(RuntimeException ex) {
		return ex instanceof DataAccessResourceFailureException || ex instanceof TransientDataAccessException
				|| ex instanceof RecoverableDataAccessException || ex instanceof CannotCreateTransactionException;
	}

	/**
	 * The most specific cause of a failed statement, for a log line.
	 * @param ex what the statement threw
	 * @return its most specific cause, as text
	 */
	static String describe(Throwable ex) {
		return (ex instanceof DataAccessException dae) ? dae.getMostSpecificCause().toString() : ex.toString();
	}

}
