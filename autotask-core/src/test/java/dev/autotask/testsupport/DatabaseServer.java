package dev.autotask.testsupport;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jspecify.annotations.Nullable;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The one PostgreSQL server the tests of this JVM share, chosen and started on first use.
 */
final class DatabaseServer {

	static final String URL_VARIABLE = "AUTOTASK_TEST_JDBC_URL";

	/**
	 * The names of the threads in which Spring closes application contexts at exit: Spring
	 * Framework's ({@code AbstractApplicationContext.SHUTDOWN_HOOK_THREAD_NAME}) and Spring
	 * Boot's ({@code SpringApplicationShutdownHook}). Core's tests do not see either class.
	 */
	private static final Set<String> SPRING_HOOKS = Set.of("SpringContextShutdownHook",
			"SpringApplicationShutdownHook");

	/** Longer than an engine's default graceful stop (30 s), short of hanging a build on a stuck hook. */
	private static final Duration SPRING_HOOKS_TIMEOUT = Duration.ofMinutes(1);

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
			// Our hook is its only closer: zonky's own would stop it beside Spring's hooks.
			EmbeddedPostgres postgres = EmbeddedPostgres.builder().setRegisterShutdownHook(false).start();
			Runtime.getRuntime().addShutdownHook(new Thread(() -> closeAfterSpringsHooks(postgres)));
			return new DatabaseServer("embedded PostgreSQL (zonky)", postgres.getJdbcUrl("postgres", "postgres"),
					"postgres", "postgres");
		}
		catch (IOException ex) {
			throw new IllegalStateException("No PostgreSQL for the tests: " + URL_VARIABLE
					+ " is not set, no Docker engine answers, and the embedded PostgreSQL did not start", ex);
		}
	}

	/**
	 * Closes the embedded server once Spring's shutdown hooks have ended. The JVM runs its
	 * shutdown hooks side by side, and Spring closes the application contexts the tests left
	 * open (the cached ones) in hooks of its own, whose engines need the database to stop:
	 * closed first, it would leave them waiting for connections that never come.
	 * @param postgres the server
	 */
	private static void closeAfterSpringsHooks(EmbeddedPostgres postgres) {
		long deadline = System.nanoTime() + SPRING_HOOKS_TIMEOUT.toNanos();
		try {
			awaitEveryHookStarted(deadline);
			for (Thread hook = springHook(); hook != null && System.nanoTime() < deadline; hook = springHook()) {
				hook.join(Math.max(1, Duration.ofNanos(deadline - System.nanoTime()).toMillis()));
			}
			postgres.close();
		}
		catch (IOException ex) {
			// The JVM is exiting; the temporary data directory goes with it.
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Waits until the JVM has started every shutdown hook, so that Spring's can be seen. It
	 * starts them one after another and only then joins the first: once the thread running
	 * {@code ApplicationShutdownHooks.runHooks} is in {@code Thread.join}, all have started.
	 * That takes the JVM microseconds; the deadline only guards against a JVM that names its
	 * frames otherwise.
	 */
	private static void awaitEveryHookStarted(long deadline) {
		while (!joiningHooks() && System.nanoTime() < deadline) {
			Thread.onSpinWait();
		}
	}

	private static boolean joiningHooks() {
		for (StackTraceElement[] stack : Thread.getAllStackTraces().values()) {
			for (int i = 1; i < stack.length; i++) {
				if (stack[i].getClassName().equals("java.lang.ApplicationShutdownHooks")
						&& stack[i].getMethodName().equals("runHooks")) {
					return stack[i - 1].getClassName().equals("java.lang.Thread")
							&& stack[i - 1].getMethodName().equals("join");
				}
			}
		}
		return false;
	}

	private static @Nullable Thread springHook() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> SPRING_HOOKS.contains(thread.getName()) && thread.isAlive())
			.findFirst()
			.orElse(null);
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
