package dev.autotask.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The one PostgreSQL server every library runs on, and the schemas the benchmark makes on it.
 */
final class Database {

	private final String url;

	private final String user;

	String url() {
		return this.url;
	}

	String user() {
		return this.user;
	}

	Database(String url, String user) {
		this.url = url;
		this.user = user;
	}

	/**
	 * Create a schema of its own for one library in this run.
	 * @param library a short name that starts the schema's name
	 * @return the schema
	 */
	String createSchema(String library) {
		String schema = "bench_" + library.replace("-", "") + "_"
				+ UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
		execute("CREATE SCHEMA " + schema);
		return schema;
	}

	void dropSchema(String schema) {
		execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
	}

	/**
	 * A pool whose connections see {@code schema} first.
	 * @param schema the schema
	 * @param size the most connections
	 * @param name the pool's name, for thread names
	 * @return the pool; close it when done
	 */
	HikariDataSource pool(String schema, int size, String name) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(this.url);
		config.setUsername(this.user);
		config.setMaximumPoolSize(size);
		config.setMinimumIdle(size);
		config.setPoolName(name);
		// Lets ServerSampler find the pool's sessions in pg_stat_activity.
		config.addDataSourceProperty("ApplicationName", name);
		config.setConnectionInitSql("SET search_path TO " + schema);
		return new HikariDataSource(config);
	}

	/**
	 * Run one statement on a fresh connection, outside any pool: DDL, {@code VACUUM}, cleanup.
	 * @param sql the statement
	 */
	void execute(String sql) {
		try (Connection connection = DriverManager.getConnection(this.url, this.user, null);
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not run " + sql + ": " + ex.getMessage(), ex);
		}
	}

}
