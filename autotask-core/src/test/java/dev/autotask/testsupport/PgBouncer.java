package dev.autotask.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import static org.awaitility.Awaitility.await;

/**
 * A real PgBouncer in transaction pooling mode in front of a test's PostgreSQL, on a free port
 * of the loopback interface: every transaction of a client may run on another server
 * connection, so nothing a session sets survives from one transaction to the next. Its
 * configuration is written to a temporary directory, and its log goes to {@code pgbouncer.log}
 * there, named in the failure when it does not start.
 *
 * <p>
 * Debian's {@code pgbouncer} refuses to run as root; as root, it is started with
 * {@code -u nobody}, so its files are made readable by everyone. Without a {@code pgbouncer}
 * binary, {@link #start} installs Debian's where {@link DebianPackages} can (a fresh CI machine),
 * and otherwise fails, saying how to install one: a test through PgBouncer never skips.
 */
public final class PgBouncer implements AutoCloseable {

	private static final List<String> BINARIES = List.of("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer",
			"/usr/local/bin/pgbouncer", "/opt/homebrew/bin/pgbouncer");

	private final Process process;

	private final Path directory;

	private final int port;

	private final String database;

	private final String username;

	private final String password;

	private PgBouncer(Process process, Path directory, int port, String database, String username,
			String password) {
		this.process = process;
		this.directory = directory;
		this.port = port;
		this.database = database;
		this.username = username;
		this.password = password;
	}

	/**
	 * Start a PgBouncer in transaction mode in front of the test's server. Its server
	 * connections use the time zone the test sessions use, set by PgBouncer, since a
	 * {@code SET} of a client's would not last.
	 * @param postgres the test class's database
	 * @param poolSize server connections per user and database
	 * @return the running PgBouncer; close it when done
	 * @throws IOException if its files cannot be written or the process cannot start
	 */
	public static PgBouncer start(PostgresExtension postgres, int poolSize) throws IOException {
		String binary = binary();
		PostgresExtension.ServerAddress server = postgres.serverAddress();
		Path directory = Files.createTempDirectory("pgbouncer-");
		int port = freePort();
		Path ini = directory.resolve("pgbouncer.ini");
		Path users = directory.resolve("userlist.txt");
		Files.writeString(ini, """
				[databases]
				%1$s = host=%2$s port=%3$d dbname=%1$s timezone=%4$s

				[pgbouncer]
				listen_addr = 127.0.0.1
				listen_port = %5$d
				unix_socket_dir =
				auth_type = trust
				auth_file = %6$s
				pool_mode = transaction
				default_pool_size = %7$d
				max_client_conn = 200
				server_reset_query =
				""".formatted(server.database(), server.host(), server.port(), PostgresExtension.SESSION_TIME_ZONE, port,
				users, poolSize), StandardCharsets.UTF_8);
		// Trusted from the test, and the password PgBouncer logs in to the server with.
		Files.writeString(users, "\"" + postgres.username() + "\" \"" + postgres.password() + "\"\n",
				StandardCharsets.UTF_8);
		List<String> command = new ArrayList<>(List.of(binary));
		if ("root".equals(System.getProperty("user.name"))) {
			Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
			command.addAll(List.of("-u", "nobody"));
		}
		command.add(ini.toString());
		Path log = directory.resolve("pgbouncer.log");
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		PgBouncer pgBouncer = new PgBouncer(process, directory, port, server.database(), postgres.username(),
				postgres.password());
		try {
			await("PgBouncer listening on port " + port).atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(50))
				.until(() -> {
					if (!process.isAlive()) {
						throw new IllegalStateException("PgBouncer exited with " + process.exitValue() + ": "
								+ Files.readString(log, StandardCharsets.UTF_8));
					}
					return accepts(port);
				});
		}
		catch (RuntimeException ex) {
			pgBouncer.close();
			throw ex;
		}
		return pgBouncer;
	}

	/**
	 * The JDBC URL of the database through this PgBouncer. PgBouncer before 1.21 does not keep
	 * server-side prepared statements in transaction mode: the URL turns them off with
	 * {@code prepareThreshold=0}, as an application behind it must.
	 * @return the URL
	 */
	public String jdbcUrl() {
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/" + this.database + "?prepareThreshold=0";
	}

	/**
	 * A connection pool through this PgBouncer, with no session settings of its own: no
	 * {@code search_path}, so the engine must qualify its tables with its schema.
	 * @param url the URL, {@link #jdbcUrl()} or a variant of it
	 * @param poolSize the pool's connections
	 * @return the pool; close it when done
	 */
	public HikariDataSource newDataSource(String url, int poolSize) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(url);
		config.setUsername(this.username);
		config.setPassword(this.password);
		config.setMaximumPoolSize(poolSize);
		config.setMinimumIdle(0);
		config.setPoolName("pgbouncer-" + this.port);
		return new HikariDataSource(config);
	}

	/**
	 * What PgBouncer logged so far, for a failing test's message.
	 * @return the log
	 */
	public String log() {
		try {
			return Files.readString(this.directory.resolve("pgbouncer.log"), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
		try (Stream<Path> files = Files.walk(this.directory)) {
			files.sorted((a, b) -> b.compareTo(a)).map(Path::toFile).forEach(File::delete);
		}
		catch (IOException ex) {
			// A temporary directory left behind is no reason to fail a test.
		}
	}

	private static String binary() {
		List<String> candidates = new ArrayList<>(BINARIES);
		String path = System.getenv("PATH");
		if (path != null) {
			for (String entry : path.split(File.pathSeparator)) {
				candidates.add(Path.of(entry, "pgbouncer").toString());
			}
		}
		if (executable(candidates).isEmpty() && DebianPackages.canInstall()) {
			DebianPackages.install("the tests through a connection pooler", "pgbouncer");
		}
		return executable(candidates).orElseThrow(() -> new IllegalStateException("No pgbouncer binary found (looked in " + candidates
					+ "): the tests through a connection pooler need one. Install it: on Debian or Ubuntu "
					+ "'apt-get install -y pgbouncer', on macOS 'brew install pgbouncer'"));
	}

	private static Optional<String> executable(List<String> candidates) {
		return candidates.stream().filter((candidate) -> Files.isExecutable(Path.of(candidate))).findFirst();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	private static boolean accepts(int port) {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
