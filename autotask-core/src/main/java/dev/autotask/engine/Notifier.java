package dev.autotask.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.Consumer;

import javax.sql.DataSource;

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
 */
final class Notifier implements Runnable {

	private static final Logger logger = LoggerFactory.getLogger(Notifier.class);

	private static final int RECEIVE_TIMEOUT_MILLIS = 500;

	private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

	// Allocated once: a pause after an OutOfMemoryError must not need the heap.
	private static final Duration RESTART_PAUSE = Duration.ofSeconds(1);

	private final DataSource dataSource;

	private final String channel;

	private final Consumer<String> onNotification;

	private volatile boolean running = true;

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
		Duration backoff = Duration.ofMillis(100);
		// Set while the connection is lost: logged when it is lost and when it is back, not per try.
		long lostAt = 0;
		while (this.running) {
			try (Connection connection = this.dataSource.getConnection()) {
				listen(connection);
				if (lostAt != 0) {
					logger.info("Listening on channel {} again after {} ms", this.channel,
							(System.nanoTime() - lostAt) / 1_000_000);
					lostAt = 0;
				}
				backoff = Duration.ofMillis(100);
				receive(connection.unwrap(PGConnection.class));
			}
			catch (SQLException | RuntimeException | Error ex) {
				// An Error too: this thread must outlive whatever a moment of full heap throws.
				if (!this.running) {
					return;
				}
				if (lostAt == 0) {
					lostAt = System.nanoTime();
					logger.warn("Lost the LISTEN connection on channel {}; polling only until it is back,"
							+ " reconnecting with back-off up to {}: {}", this.channel, MAX_BACKOFF, ex.toString());
				}
				else {
					logger.debug("Still cannot LISTEN on channel {}, retrying in {} ms: {}", this.channel,
							backoff.toMillis(), ex.toString());
				}
				if (!pause(backoff)) {
					return;
				}
				backoff = Wakeup.min(backoff.multipliedBy(2), MAX_BACKOFF);
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
	}

	private void receive(PGConnection connection) throws SQLException {
		while (this.running) {
			PGNotification[] notifications = connection.getNotifications(RECEIVE_TIMEOUT_MILLIS);
			if (notifications != null) {
				for (PGNotification notification : notifications) {
					this.onNotification.accept(notification.getParameter());
				}
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
