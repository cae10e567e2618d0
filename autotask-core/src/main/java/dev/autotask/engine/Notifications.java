package dev.autotask.engine;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

/**
 * Where an engine hears that a task was enqueued, a lead resigned or an event is waiting in the
 * outbox: by {@code LISTEN} on a connection of its own DataSource (the default), by
 * {@code LISTEN} on a connection that reaches PostgreSQL directly, or nowhere, when it polls
 * only.
 *
 * <p>
 * {@code LISTEN} belongs to a session: behind a pooler in transaction mode (PgBouncer's
 * {@code pool_mode = transaction}) the session that listens is handed to other clients after the
 * statement, and the notifications never reach the engine. It then starts tasks only when it
 * polls. A direct connection for {@code LISTEN} alone keeps the wake-up of a notification while
 * every other statement goes through the pooler; polling only is for when no such connection is
 * allowed.
 */
public final class Notifications {

	// A password in a JDBC URL's query, shown as *** in the start-up log.
	private static final Pattern PASSWORD = Pattern.compile("(?i)([?&;]password=)[^&;]*");

	private static final Notifications ENGINE_DATA_SOURCE = new Notifications(true, null, null);

	private static final Notifications POLL_ONLY = new Notifications(false, null, null);

	private final boolean listens;

	private final @Nullable DataSource dataSource;

	private final @Nullable String url;

	private Notifications(boolean listens, @Nullable DataSource dataSource, @Nullable String url) {
		this.listens = listens;
		this.dataSource = dataSource;
		this.url = url;
	}

	/**
	 * {@code LISTEN} on a connection of the engine's own DataSource, which must not go through a
	 * pooler in transaction mode.
	 * @return the default
	 */
	public static Notifications engineDataSource() {
		return ENGINE_DATA_SOURCE;
	}

	/**
	 * {@code LISTEN} on a connection of another DataSource, which reaches PostgreSQL directly
	 * (not through a pooler in transaction mode) and the same database as the engine's.
	 * @param dataSource where the connection comes from; the engine holds one of its
	 * connections while it runs
	 * @param url its JDBC URL, for the start-up log; a password in it is not shown
	 * @return the direct connection
	 */
	public static Notifications direct(DataSource dataSource, String url) {
		return new Notifications(true, dataSource, url);
	}

	/**
	 * No {@code LISTEN}: the engine looks for due tasks every poll interval, and a resigned
	 * lead is taken over when its lease expires.
	 * @return poll-only
	 */
	public static Notifications pollOnly() {
		return POLL_ONLY;
	}

	/**
	 * Whether the engine listens at all.
	 * @return {@code false} when it polls only
	 */
	public boolean listens() {
		return this.listens;
	}

	/**
	 * Whether the engine listens on a DataSource of its own, which says that the engine's goes
	 * through a pooler.
	 * @return whether it is direct
	 */
	public boolean isDirect() {
		return this.dataSource != null;
	}

	/**
	 * The DataSource whose connection listens.
	 * @param engineDataSource the engine's own
	 * @return the direct one, the engine's own, or {@code null} when polling only
	 */
	public @Nullable DataSource dataSource(DataSource engineDataSource) {
		if (!this.listens) {
			return null;
		}
		return (this.dataSource != null) ? this.dataSource : engineDataSource;
	}

	/**
	 * What the engine does, in words for an operator's log.
	 * @param pollInterval the engine's poll interval
	 * @return the description
	 */
	public String describe(Duration pollInterval) {
		if (!this.listens) {
			return "poll-only every " + format(pollInterval) + ": no LISTEN, so a new task waits up to that long";
		}
		String where = (this.url != null) ? withoutPassword(this.url) + " (a direct connection)"
				: "a connection of the engine's DataSource";
		return "LISTEN on " + where + ", and a poll every " + format(pollInterval) + " in case a notification is missed";
	}

	static String withoutPassword(String url) {
		return PASSWORD.matcher(url).replaceAll("$1***");
	}

	private static String format(Duration duration) {
		return duration.toString().substring(2).toLowerCase(Locale.ROOT);
	}

}
