package dev.autotask.testsupport;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The one PostgreSQL server the tests of this JVM share, chosen and started on first use.
 */
final class DatabaseServer {

	static final String URL_VARIABLE = "AUTOTASK_TEST_JDBC_URL";

	private static DatabaseServer instance;

	private final String jdbcUrl;

	private final String username;

	private final String password;

	private DatabaseServer(String source, String jdbcUrl, String username, String password) {
		this.jdbcUrl = jdbcUrl;
		this.username = username;
		this.password = password;
		System.err.println("[autotask tests] PostgreSQL from " + source + ": " + jdbcUrl);
	}

	static synchronized DatabaseServer get() {
		if (instance == null) {
			instance = start();
		}
		return instance;
	}

	private static DatabaseServer start() {
		String url = System.getenv(URL_VARIABLE);
		if (url != null && !url.isBlank()) {
			return new DatabaseServer(URL_VARIABLE, url, System.getenv().getOrDefault("AUTOTASK_TEST_JDBC_USER", "postgres"),
					System.getenv().getOrDefault("AUTOTASK_TEST_JDBC_PASSWORD", ""));
		}
		if (Docker.available()) {
			PostgreSQLContainer container = new PostgreSQLContainer("postgres:15-alpine");
			container.start();
			Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
			return new DatabaseServer("Testcontainers", container.getJdbcUrl(), container.getUsername(),
					container.getPassword());
		}
		try {
			EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				try {
					// Shutdown hooks run side by side: give the application contexts of the tests,
					// closing in Spring's own hook, a moment to stop their engines while the
					// database still answers, rather than wait for connections that never come.
					Thread.sleep(3000);
					postgres.close();
				}
				catch (IOException ex) {
					// The JVM is exiting; the temporary data directory goes with it.
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}));
			return new DatabaseServer("embedded PostgreSQL (zonky)", postgres.getJdbcUrl("postgres", "postgres"),
					"postgres", "postgres");
		}
		catch (IOException ex) {
			throw new IllegalStateException("No PostgreSQL for the tests: " + URL_VARIABLE
					+ " is not set, no Docker engine answers, and the embedded PostgreSQL did not start", ex);
		}
	}

	Connection connect() throws SQLException {
		return DriverManager.getConnection(this.jdbcUrl, this.username, this.password);
	}

	HikariDataSource dataSource(String schema, String timeZone) {
		return PostgresExtension.pool(this.jdbcUrl, this.username, this.password, schema, timeZone);
	}

	String jdbcUrl() {
		return this.jdbcUrl;
	}

	String username() {
		return this.username;
	}

	String password() {
		return this.password;
	}

}
