package dev.autotask.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A real PostgreSQL for a test class, in a schema of its own, migrated with autotask's Flyway
 * scripts and emptied before each test.
 *
 * <p>
 * The server is chosen once per JVM: the JDBC URL in {@code AUTOTASK_TEST_JDBC_URL} if set,
 * else a Testcontainers PostgreSQL when a Docker engine answers, else an embedded PostgreSQL
 * (zonky). It never skips: if none can be had, the tests fail and say why. Sessions run in a
 * non-UTC time zone on purpose, to catch code that reads the database's time as local time.
 *
 * <pre class="code">
 * &#64;RegisterExtension
 * static final PostgresExtension postgres = PostgresExtension.migrated();
 * </pre>
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

	/** A zone with a 45-minute offset: nobody's default, so a zone bug cannot hide. */
	static final String SESSION_TIME_ZONE = "Pacific/Chatham";

	// jdbc:postgresql://host[:port]/rest, one host only.
	private static final Pattern SERVER_URL = Pattern.compile("jdbc:postgresql://([^/:,\\[]+)(?::(\\d+))?(/.*)");

	private final boolean migrate;

	private final List<String> newSchemas = new ArrayList<>();

	private String schema;

	private HikariDataSource dataSource;

	private PostgresExtension(boolean migrate) {
		this.migrate = migrate;
	}

	/**
	 * A schema with autotask's tables, emptied before each test.
	 * @return the extension
	 */
	public static PostgresExtension migrated() {
		return new PostgresExtension(true);
	}

	/**
	 * An empty schema, for tests of the migration itself (the starter's Flyway).
	 * @return the extension
	 */
	public static PostgresExtension empty() {
		return new PostgresExtension(false);
	}

	@Override
	public void beforeAll(ExtensionContext context) throws Exception {
		DatabaseServer server = DatabaseServer.get();
		this.schema = createSchema();
		this.dataSource = server.dataSource(this.schema, SESSION_TIME_ZONE);
		if (this.migrate) {
			Flyway.configure()
				.dataSource(this.dataSource)
				.schemas(this.schema)
				.locations("classpath:db/autotask")
				.table("autotask_schema_history")
				.load()
				.migrate();
		}
	}

	@Override
	public void beforeEach(ExtensionContext context) throws SQLException {
		if (this.migrate) {
			try (Connection connection = this.dataSource.getConnection();
					Statement statement = connection.createStatement()) {
				statement.execute("TRUNCATE " + this.schema + ".autotask_task, " + this.schema + ".autotask_leader, "
						+ this.schema + ".autotask_node, " + this.schema + ".autotask_fire, " + this.schema + ".autotask_queue, "
						+ this.schema + ".autotask_runtime_schedule, " + this.schema + ".autotask_group, "
						+ this.schema + ".autotask_key_rate, "
						+ this.schema + ".autotask_outbox, " + this.schema + ".autotask_queue_minute RESTART IDENTITY CASCADE");
			}
		}
	}

	@Override
	public void afterAll(ExtensionContext context) throws Exception {
		if (this.dataSource != null) {
			this.dataSource.close();
		}
		try (Connection connection = DatabaseServer.get().connect();
				Statement statement = connection.createStatement()) {
			statement.execute("DROP SCHEMA IF EXISTS " + this.schema + " CASCADE");
			for (String schema : this.newSchemas) {
				statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
			}
		}
	}

	private static String createSchema() throws SQLException {
		String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
		try (Connection connection = DatabaseServer.get().connect();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE SCHEMA " + schema);
		}
		return schema;
	}

	/**
	 * A further empty schema on the same server, dropped with this class's own after its tests,
	 * for a test that needs a database of its own: an application's first start on an empty
	 * schema, then its restart on the same one.
	 * @return the schema name
	 * @throws SQLException if it cannot be created
	 */
	public String newSchema() throws SQLException {
		String schema = createSchema();
		this.newSchemas.add(schema);
		return schema;
	}

	/**
	 * The server's JDBC URL with a schema as the connection's current schema, so that an
	 * application under test finds and creates its unqualified tables there, as in a database of
	 * its own.
	 * @param schema the schema, from {@link #newSchema()}
	 * @return the URL
	 */
	public String jdbcUrl(String schema) {
		String url = jdbcUrl();
		return url + ((url.indexOf('?') >= 0) ? "&" : "?") + "currentSchema=" + schema;
	}

	/**
	 * This class's schema.
	 * @return the schema name
	 */
	public String schema() {
		return this.schema;
	}

	/**
	 * A pooled DataSource whose connections use this class's schema.
	 * @return the data source
	 */
	public DataSource dataSource() {
		return this.dataSource;
	}

	/**
	 * A JdbcClient on {@link #dataSource()}.
	 * @return the client
	 */
	public JdbcClient jdbc() {
		return JdbcClient.create(this.dataSource);
	}

	/**
	 * The server's JDBC URL, for an application under test ({@code spring.datasource.url}).
	 * @return the URL
	 */
	public String jdbcUrl() {
		return DatabaseServer.get().jdbcUrl();
	}

	/**
	 * The user name for {@link #jdbcUrl()}.
	 * @return the user
	 */
	public String username() {
		return DatabaseServer.get().username();
	}

	/**
	 * The password for {@link #jdbcUrl()}.
	 * @return the password
	 */
	public String password() {
		return DatabaseServer.get().password();
	}

	/**
	 * The properties that point a Spring Boot application at this class's database and schema,
	 * for {@code @DynamicPropertySource}: {@code postgres.springProperties().forEach(registry::add)}.
	 * @return the properties, by name
	 */
	public Map<String, Supplier<Object>> springProperties() {
		Map<String, Supplier<Object>> properties = new LinkedHashMap<>();
		properties.put("spring.datasource.url", this::jdbcUrl);
		properties.put("spring.datasource.username", this::username);
		properties.put("spring.datasource.password", this::password);
		properties.put("autotask.schema", this::schema);
		return properties;
	}

	/**
	 * The same properties as {@link #springProperties()}, as {@code name=value} pairs for an
	 * {@code ApplicationContextRunner}.
	 * @return the pairs
	 */
	public String[] springPropertyValues() {
		return springProperties().entrySet()
			.stream()
			.map((property) -> property.getKey() + "=" + property.getValue().get())
			.toArray(String[]::new);
	}

	/**
	 * A new, unpooled DataSource on the same schema, for a second engine or a separate
	 * connection pool.
	 * @param poolSize the pool size
	 * @return the data source; close it when done
	 */
	public HikariDataSource newDataSource(int poolSize) {
		HikariDataSource dataSource = DatabaseServer.get().dataSource(this.schema, SESSION_TIME_ZONE);
		dataSource.setMaximumPoolSize(poolSize);
		return dataSource;
	}

	/**
	 * A {@link TcpProxy} in front of this class's server, to cut the database away from an
	 * engine without stopping a server that other tests share.
	 * @return the proxy; close it when done
	 * @throws IOException if it cannot listen
	 */
	public TcpProxy newProxy() throws IOException {
		Matcher url = serverUrl();
		return TcpProxy.to(url.group(1), (url.group(2) != null) ? Integer.parseInt(url.group(2)) : 5432);
	}

	/**
	 * A new DataSource on the same schema whose connections go through a proxy, so that every
	 * connection it makes, including an engine's {@code LISTEN} connection, is lost when the
	 * proxy is cut.
	 * @param poolSize the pool size
	 * @param proxy the proxy from {@link #newProxy()}
	 * @param connectionTimeout how long {@code getConnection()} waits before it fails
	 * @return the data source; close it when done
	 */
	public HikariDataSource newDataSource(int poolSize, TcpProxy proxy, Duration connectionTimeout) {
		// Set before the pool starts: a running pool keeps the timeout it started with.
		HikariConfig config = config(jdbcUrl(proxy), username(), password(), this.schema, SESSION_TIME_ZONE);
		config.setMaximumPoolSize(poolSize);
		config.setConnectionTimeout(connectionTimeout.toMillis());
		return new HikariDataSource(config);
	}

	/**
	 * Where this class's server listens, for a process of a test's own in front of it.
	 * @return the address
	 */
	public ServerAddress serverAddress() {
		Matcher url = serverUrl();
		String database = url.group(3).substring(1).replaceFirst("\\?.*", "");
		return new ServerAddress(url.group(1), (url.group(2) != null) ? Integer.parseInt(url.group(2)) : 5432,
				database);
	}

	/**
	 * The JDBC URL of this class's database through a proxy.
	 * @param proxy the proxy from {@link #newProxy()}
	 * @return the URL
	 */
	public String jdbcUrl(TcpProxy proxy) {
		return "jdbc:postgresql://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + proxy.port()
				+ serverUrl().group(3);
	}

	private Matcher serverUrl() {
		Matcher url = SERVER_URL.matcher(jdbcUrl());
		if (!url.matches()) {
			throw new IllegalStateException("Cannot proxy " + jdbcUrl() + ": not jdbc:postgresql://host[:port]/...");
		}
		return url;
	}

	static HikariDataSource pool(String url, String user, String password, String schema, String timeZone) {
		return new HikariDataSource(config(url, user, password, schema, timeZone));
	}

	private static HikariConfig config(String url, String user, String password, String schema, String timeZone) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(url);
		config.setUsername(user);
		config.setPassword(password);
		config.setMaximumPoolSize(12);
		config.setMinimumIdle(0);
		config.setPoolName("test-" + schema);
		config.setConnectionInitSql("SET search_path TO " + schema + "; SET TIME ZONE '" + timeZone + "'");
		return config;
	}

	/**
	 * Where a server listens.
	 *
	 * @param host its host
	 * @param port its port
	 * @param database the test database's name
	 */
	public record ServerAddress(String host, int port, String database) {
	}

}
