package dev.autotask.internal.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Consumer;

import javax.sql.DataSource;

import dev.autotask.internal.backoff.Backoff;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one connection that {@code LISTEN}s on the engine's channel and passes on each
 * notification's payload: empty when an enqueue commits, {@code leader} when the leader
 * resigns. Polling remains the safety net: if the connection drops, the
 * notifier reconnects with back-off and wakes the dispatcher once it is back, since it may have
 * missed notifications meanwhile.
 *
 * <p>
 * Each time it starts listening, it notifies itself over another connection and warns if that
 * probe does not come back: then its session is not its own, as behind a pooler in transaction
 * mode, and the engine only polls. A probe never reaches the engine's handler, on this node or
 * another.
 */
final class Notifier implements Runnable {

	private static final Logger logger = LoggerFactory.getLogger(Notifier.class);

	private static final int RECEIVE_TIMEOUT_MILLIS = 500;

	private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

	private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(100), MAX_BACKOFF);

	// Far more than a notification takes, even on a loaded server.
	static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

	private static final String PROBE_PREFIX = "probe ";

	// Allocated once: a pause after an OutOfMemoryError must not need the heap.
	private static final Duration RESTART_PAUSE = Duration.ofSeconds(1);

	private final DataSource dataSource;

	private final String channel;

	private final Consumer<String> onNotification;

	private final String probe = PROBE_PREFIX + UUID.randomUUID();

	private volatile boolean running = true;

	// When the last probe was sent, or 0 once it came back or was given up on.
	private long probeSentAt;

	Notifier(DataSource dataSource, String channel, Consumer<String> onNotification) {
		this.dataSource = dataSource;
		this.channel = channel;
		this.onNotification = onNotification;
	}

	@Override
	public void run() {
		while (this.running) {
			try {
				// Returns when stopped or interrupted.
				listenUntilStopped();
				return;
			}
			catch (Error ex) {
				// Thrown by the handling of an earlier failure, while the heap is still full: start
				// over after a moment rather than let the thread die.
				try {
					if (!pause(RESTART_PAUSE)) {
						return;
					}
				}
				catch (Error again) {
					// Still full: the loop tries again.
				}
			}
		}
	}

	private void listenUntilStopped() {
		int failures = 0;
		// Set while the connection is lost: logged when it is lost and when it is back, not per try.
		long lostAt = 0;
		while (this.running) {
			try (Connection connection = this.dataSource.getConnection()) {
				try {
					listen(connection);
					if (lostAt != 0) {
						logger.info("Listening on channel {} again after {} ms", this.channel,
								(System.nanoTime() - lostAt) / 1_000_000);
						lostAt = 0;
					}
					failures = 0;
					receive(connection.unwrap(PGConnection.class));
				}
				finally {
					unlisten(connection);
				}
			}
			catch (SQLException | RuntimeException | Error ex) {
				// An Error too: this thread must outlive whatever a moment of full heap throws.
				if (!this.running) {
					return;
				}
				failures++;
				if (lostAt == 0) {
					lostAt = System.nanoTime();
					logger.warn("Lost the LISTEN connection on channel {}; polling only until it is back,"
							+ " reconnecting with back-off up to {}: {}", this.channel, MAX_BACKOFF, ex.toString());
				}
				else {
					logger.debug("Still cannot LISTEN on channel {}, retrying in {} ms: {}", this.channel,
							BACKOFF.delay(failures).toMillis(), ex.toString());
				}
				if (!pause(BACKOFF.delay(failures))) {
					return;
				}
			}
		}
	}

	private void listen(Connection connection) throws SQLException {
		// LISTEN takes effect at commit: make sure there is no open transaction to wait for.
		connection.setAutoCommit(true);
		try (Statement statement = connection.createStatement()) {
			statement.execute("LISTEN \"" + this.channel + "\"");
		}
		// Anything enqueued while we were not listening would otherwise wait for the next poll.
		this.onNotification.accept("");
		sendProbe();
	}

	// A pooled connection goes back to its pool: left listening, its session would still be woken
	// by every NOTIFY in the database, slowing each enqueue, and hold back the notification queue.
	private void unlisten(Connection connection) {
		try (Statement statement = connection.createStatement()) {
			statement.execute("UNLISTEN *");
		}
		catch (SQLException | RuntimeException ex) {
			// A broken connection listens no more; the pool drops it.
			logger.debug("Could not UNLISTEN on channel {}: {}", this.channel, ex.toString());
		}
	}

	private void sendProbe() {
		this.probeSentAt = 0;
		try (Connection connection = this.dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
			connection.setAutoCommit(true);
			statement.setString(1, this.channel);
			statement.setString(2, this.probe);
			statement.execute();
			this.probeSentAt = System.nanoTime();
		}
		catch (SQLException | RuntimeException ex) {
			// The LISTEN connection itself is checked by receiving: nothing to verify this time.
			logger.debug("Could not send a probe on channel {}: {}", this.channel, ex.toString());
		}
	}

	private void receive(PGConnection connection) throws SQLException {
		while (this.running) {
			PGNotification[] notifications = connection.getNotifications(RECEIVE_TIMEOUT_MILLIS);
			if (notifications != null) {
				for (PGNotification notification : notifications) {
					String payload = notification.getParameter();
					if (this.probe.equals(payload)) {
						logger.debug("LISTEN on channel {} heard its probe after {} ms", this.channel,
								(System.nanoTime() - this.probeSentAt) / 1_000_000);
						this.probeSentAt = 0;
					}
					else if (!payload.startsWith(PROBE_PREFIX)) {
						this.onNotification.accept(payload);
					}
				}
			}
			if (this.probeSentAt != 0 && System.nanoTime() - this.probeSentAt > PROBE_TIMEOUT.toNanos()) {
				this.probeSentAt = 0;
				// Such a pooler also mixes up the statements pgjdbc prepares on the server.
				String prepared = (connection.getPrepareThreshold() > 0)
						? "; and add prepareThreshold=0 to its JDBC URL, or PgBouncer before 1.21 mixes up the"
								+ " statements its connections prepare on the server"
						: "";
				logger.warn("LISTEN on channel {} did not hear its own probe within {}: its session is not its own,"
						+ " as behind a connection pooler in transaction mode (PgBouncer's pool_mode=transaction),"
						+ " so new tasks wait for the next poll. Give autotask a direct connection for LISTEN"
						+ " (autotask.listen.url) or poll only (autotask.listen.enabled=false){}", this.channel,
						PROBE_TIMEOUT, prepared);
			}
		}
	}

	private boolean pause(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	void stop() {
		this.running = false;
	}

}
