package dev.autotask.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * The embedded PostgreSQL that the sample starts when no database is configured keeps its data
 * across runs: after a stop, and after a kill -9 that leaves its server running with nobody to
 * stop it. (The other tests use a database of their own, never this one.)
 */
class EmbeddedDatabaseIT {

	@TempDir
	Path dataDirectory;

	@TempDir
	Path work;

	private Process killed;

	@AfterEach
	void stopAll() throws IOException {
		if (this.killed != null) {
			this.killed.destroyForcibly();
		}
		// Should a test fail half-way, no server outlives it.
		EmbeddedDatabaseConfiguration.stopLeftOverServer(this.dataDirectory);
	}

	@Test
	void dataOutlivesTheSampleKilledOrStopped() throws Exception {
		Path ready = this.work.resolve("ready");
		Path log = this.work.resolve("output.log");
		this.killed = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("java.class.path"), EmbeddedDatabaseProcess.class.getName(),
				this.dataDirectory.toString(), ready.toString())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		await().atMost(Duration.ofSeconds(60))
			.failFast("the other process ended; its output is in " + log, () -> !this.killed.isAlive())
			.until(() -> Files.exists(ready));

		this.killed.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
		long leftOver = Long.parseLong(Files.readAllLines(this.dataDirectory.resolve("postmaster.pid")).get(0).trim());
		assertThat(ProcessHandle.of(leftOver)).as("the killed run's PostgreSQL, still running")
			.hasValueSatisfying((process) -> assertThat(process.isAlive()).isTrue());

		try (EmbeddedPostgres postgres = EmbeddedDatabaseConfiguration.start(this.dataDirectory)) {
			assertThat(notes(postgres)).containsExactly("written before the kill");
			JdbcClient.create(postgres.getPostgresDatabase())
				.sql("INSERT INTO note (text) VALUES ('written before a stop')")
				.update();
		}
		try (EmbeddedPostgres postgres = EmbeddedDatabaseConfiguration.start(this.dataDirectory)) {
			assertThat(notes(postgres)).containsExactly("written before the kill", "written before a stop");
		}
	}

	@Test
	void secondSampleOnTheSameDataDirectoryIsRefusedAndLeavesTheFirstRunning() throws Exception {
		try (EmbeddedPostgres first = EmbeddedDatabaseConfiguration.start(this.dataDirectory)) {
			assertThatIllegalStateException().isThrownBy(() -> EmbeddedDatabaseConfiguration.start(this.dataDirectory))
				.withMessageContaining(this.dataDirectory.toString())
				.withMessageContaining("in use by another running sample application");
			try (Connection connection = first.getPostgresDatabase().getConnection();
					Statement statement = connection.createStatement()) {
				assertThat(statement.execute("SELECT 1")).isTrue();
			}
		}
	}

	private static List<String> notes(EmbeddedPostgres postgres) {
		return JdbcClient.create(postgres.getPostgresDatabase())
			.sql("SELECT text FROM note ORDER BY id")
			.query(String.class)
			.list();
	}

	/**
	 * Starts the sample's embedded PostgreSQL on a data directory, writes a note, says so by
	 * creating a file, and runs until killed.
	 */
	static final class EmbeddedDatabaseProcess {

		public static void main(String[] args) throws IOException, SQLException, InterruptedException {
			EmbeddedPostgres postgres = EmbeddedDatabaseConfiguration.start(Path.of(args[0]));
			try (Connection connection = postgres.getPostgresDatabase().getConnection();
					Statement statement = connection.createStatement()) {
				statement.execute("CREATE TABLE note (id serial, text text)");
				statement.execute("INSERT INTO note (text) VALUES ('written before the kill')");
			}
			Files.createFile(Path.of(args[1]));
			Thread.currentThread().join();
		}

	}

}
