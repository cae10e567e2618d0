package dev.autotask.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jspecify.annotations.Nullable;

/**
 * The server the soak runs on: by default a PostgreSQL the bench starts itself (zonky's binaries,
 * the version the root pom picks) with production-like settings, above all autovacuum on, which
 * the shared bench server has off. Stopped, and its data directory deleted, on close.
 */
final class SoakServer implements AutoCloseable {

	/**
	 * Settings given to the embedded server. Zonky starts PostgreSQL with {@code fsync} and
	 * {@code synchronous_commit} off; both are set back on here, as a production server runs.
	 * Autovacuum keeps PostgreSQL's own defaults (it is on, with a 1-minute naptime, and vacuums
	 * a table once a fifth of it is dead).
	 *
	 * <p>
	 * {@code max_wal_size} stays at 2 GB, though at 28,000 tasks/s the soak writes about 50 MiB of
	 * WAL a second and so begins a checkpoint every 15 to 20 s: with 16 GB (one checkpoint in 3
	 * minutes instead of one every 15 to 20 s) the WAL's rate was the same and the engine fell behind
	 * sooner, in one run each on one machine (2026-12-08). The soak's timeline shows the WAL's
	 * rate and the checkpoints.
	 */
	static final Map<String, String> SETTINGS = settings();

	// Shown after the start, as the server reports them.
	private static final List<String> SHOWN = List.of("server_version", "autovacuum", "autovacuum_naptime",
			"autovacuum_vacuum_scale_factor", "autovacuum_vacuum_threshold", "autovacuum_vacuum_insert_scale_factor",
			"autovacuum_vacuum_cost_limit", "autovacuum_vacuum_cost_delay", "autovacuum_max_workers", "shared_buffers",
			"effective_cache_size", "work_mem", "maintenance_work_mem", "fsync", "synchronous_commit",
			"full_page_writes", "wal_level", "wal_buffers", "wal_compression", "max_wal_size", "min_wal_size",
			"checkpoint_timeout", "checkpoint_completion_target", "random_page_cost", "max_connections");

	private final @Nullable EmbeddedPostgres embedded;

	private final Database database;

	private SoakServer(@Nullable EmbeddedPostgres embedded, Database database) {
		this.embedded = embedded;
		this.database = database;
	}

	private static Map<String, String> settings() {
		Map<String, String> settings = new LinkedHashMap<>();
		settings.put("autovacuum", "on");
		settings.put("track_counts", "on");
		settings.put("shared_buffers", "256MB");
		settings.put("effective_cache_size", "1GB");
		settings.put("work_mem", "8MB");
		settings.put("maintenance_work_mem", "128MB");
		settings.put("fsync", "on");
		settings.put("synchronous_commit", "on");
		settings.put("full_page_writes", "on");
		settings.put("wal_level", "replica");
		settings.put("wal_buffers", "16MB");
		settings.put("wal_compression", "on");
		settings.put("max_wal_size", "2GB");
		settings.put("min_wal_size", "256MB");
		settings.put("checkpoint_timeout", "5min");
		settings.put("checkpoint_completion_target", "0.9");
		settings.put("random_page_cost", "1.1");
		settings.put("max_connections", "100");
		return settings;
	}

	/**
	 * Start an embedded server, or use the one at {@code jdbcUrl}.
	 * @param jdbcUrl the server to use, or empty to start one
	 * @param user the user on a given server
	 * @return the server
	 */
	static SoakServer start(String jdbcUrl, String user) {
		if (!jdbcUrl.isEmpty()) {
			return new SoakServer(null, new Database(jdbcUrl, user));
		}
		try {
			EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
			SETTINGS.forEach(builder::setServerConfig);
			EmbeddedPostgres embedded = builder.start();
			return new SoakServer(embedded,
					new Database("jdbc:postgresql://localhost:" + embedded.getPort() + "/postgres", "postgres"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start the embedded PostgreSQL", ex);
		}
	}

	Database database() {
		return this.database;
	}

	/**
	 * Where the soak runs and with what, as the server reports its settings.
	 * @return one line per setting
	 */
	List<String> describe() {
		List<String> lines = new ArrayList<>();
		lines.add((this.embedded != null)
				? "Server: embedded PostgreSQL started by the bench (zonky binaries) on port " + this.embedded.getPort()
				: "Server: " + this.database.url());
		try (Connection connection = DriverManager.getConnection(this.database.url(), this.database.user(), null);
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT name, setting, coalesce(unit, '') FROM pg_settings"
						+ " WHERE name IN ('" + String.join("', '", SHOWN) + "') ORDER BY name")) {
			while (rows.next()) {
				lines.add("  " + rows.getString(1) + " = " + rows.getString(2)
						+ (rows.getString(3).isEmpty() ? "" : " (unit " + rows.getString(3) + ")"));
			}
		}
		catch (SQLException ex) {
			lines.add("  (could not read the settings: " + ex.getMessage() + ")");
		}
		return lines;
	}

	@Override
	public void close() {
		if (this.embedded != null) {
			try {
				// What is left to write now rather than in the shutdown checkpoint, which zonky gives 5 s.
				this.database.execute("CHECKPOINT");
			}
			catch (IllegalStateException ex) {
				System.err.println("Could not checkpoint before stopping: " + ex.getMessage());
			}
			try {
				this.embedded.close();
			}
			catch (IOException ex) {
				System.err.println("Could not stop the embedded PostgreSQL: " + ex);
			}
		}
	}

}
