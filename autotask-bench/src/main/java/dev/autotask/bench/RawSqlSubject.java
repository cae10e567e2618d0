package dev.autotask.bench;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.zaxxer.hikari.HikariDataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The bound: what plain JDBC gets out of the same server on autotask's own table (same columns,
 * same indexes), with no engine around it.
 * <ul>
 * <li>drain: {@code workers} threads, each claiming up to {@value #CLAIM_BATCH} rows in one
 * {@code UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED LIMIT n) RETURNING} and
 * completing them all in one {@code UPDATE ... WHERE id = ANY(?)};</li>
 * <li>enqueue: a single-row {@code INSERT} in autocommit on one held connection, and a JDBC
 * batch of inserts in one transaction;</li>
 * <li>latency: what a queue must do at the least, from before the enqueue to the claim of the
 * task: an {@code INSERT} and a {@code pg_notify} in one transaction, and a listener that
 * claims due tasks, with the same claim as the drain, each time it is woken;</li>
 * <li>and, apart, the bare {@code LISTEN}/{@code NOTIFY} round trip, from before the
 * {@code NOTIFY} to its arrival on the listening connection.</li>
 * </ul>
 */
final class RawSqlSubject implements Subject {

	static final String NAME = "raw SQL";

	static final int CLAIM_BATCH = 100;

	// The same claim as autotask's TaskClaimTable.CLAIM, with a fixed batch.
	private static final String CLAIM = """
			UPDATE autotask_task SET status = 'RUNNING', attempt = attempt + 1, started_at = now(), node_id = 'raw'
			WHERE id IN (
				SELECT id FROM autotask_task
				WHERE status = 'PENDING' AND run_at <= now() AND name = ANY(?)
				ORDER BY priority DESC, run_at, id
				LIMIT %d
				FOR UPDATE SKIP LOCKED)
			RETURNING id, name, args::text""".formatted(CLAIM_BATCH);

	// autotask's TaskRunTable.COMPLETE for many rows at once.
	private static final String COMPLETE_MANY = """
			UPDATE autotask_task SET status = 'SUCCESS', result = NULL, finished_at = now(), expires_at = now() + ttl
			WHERE id = ANY(?) AND status = 'RUNNING' AND node_id = 'raw'""";

	// One transaction, as an enqueue must: the task and the wake-up commit together.
	private static final String INSERT_AND_NOTIFY = """
			WITH task AS (
				INSERT INTO autotask_task (name, queue, owner, args, priority, run_at, max_attempts, ttl)
				VALUES ('noop', 'default', 'bench', jsonb_build_array(?), 0, now(), 1, interval '7 days')
				RETURNING id)
			SELECT pg_notify(?, '') FROM task""";

	private static final String INSERT = """
			INSERT INTO autotask_task (name, queue, owner, args, priority, run_at, max_attempts, ttl)
			VALUES ('noop', 'default', 'bench', '[]'::jsonb, 0, now(), 1, interval '7 days')""";

	private final Database database;

	private final String schema;

	private final HikariDataSource data;

	private final int workers;

	private final String channel;

	RawSqlSubject(Database database, int workers) {
		this.database = database;
		this.schema = database.createSchema("raw");
		this.data = database.pool(this.schema, workers + 2, "raw");
		this.workers = workers;
		this.channel = this.schema + "_notify";
		AutotaskSubject.migrate(this.data, this.schema);
	}

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public void preload(int count) {
		AutotaskSubject.preload(this.database, this.schema, count);
	}

	@Override
	public Duration drain(int count) throws InterruptedException {
		ExecutorService threads = Executors.newFixedThreadPool(this.workers);
		try {
			long start = System.nanoTime();
			List<Future<Integer>> drained = new ArrayList<>();
			for (int i = 0; i < this.workers; i++) {
				drained.add(threads.submit(this::drainLoop));
			}
			int total = 0;
			for (Future<Integer> future : drained) {
				total += future.get();
			}
			Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
			if (total != count) {
				throw new IllegalStateException("Drained " + total + " tasks, expected " + count);
			}
			return elapsed;
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(ex.getCause());
		}
		finally {
			threads.shutdownNow();
		}
	}

	private int drainLoop() throws SQLException {
		int done = 0;
		try (Connection connection = this.data.getConnection();
				PreparedStatement claim = connection.prepareStatement(CLAIM);
				PreparedStatement complete = connection.prepareStatement(COMPLETE_MANY)) {
			Array names = connection.createArrayOf("text", new String[] { "noop" });
			while (true) {
				claim.setArray(1, names);
				List<Long> ids = new ArrayList<>(CLAIM_BATCH);
				try (ResultSet rows = claim.executeQuery()) {
					while (rows.next()) {
						// The no-op task: read what a runner would read, and do nothing with it.
						ids.add(rows.getLong(1));
						rows.getString(2);
						rows.getString(3);
					}
				}
				if (ids.isEmpty()) {
					return done;
				}
				complete.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
				complete.executeUpdate();
				done += ids.size();
			}
		}
	}

	@Override
	public void enqueueOneByOne(int count) {
		try (Connection connection = this.data.getConnection();
				PreparedStatement insert = connection.prepareStatement(INSERT)) {
			for (int i = 0; i < count; i++) {
				insert.executeUpdate();
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void enqueueBatches(int count, int batchSize) {
		try (Connection connection = this.data.getConnection();
				PreparedStatement insert = connection.prepareStatement(INSERT)) {
			connection.setAutoCommit(false);
			for (int sent = 0; sent < count; sent += batchSize) {
				int size = Math.min(batchSize, count - sent);
				for (int i = 0; i < size; i++) {
					insert.addBatch();
				}
				insert.executeBatch();
				connection.commit();
			}
			connection.setAutoCommit(true);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public Latencies latency(int count, Duration gap) throws InterruptedException {
		Probe probe = new Probe();
		try (Connection listening = this.data.getConnection(); Connection enqueuing = this.data.getConnection()) {
			execute(listening, "LISTEN " + this.channel);
			Thread claimer = new Thread(() -> claimOnWakeUp(listening, probe, count), "raw-claimer");
			claimer.start();
			try (PreparedStatement enqueue = enqueuing.prepareStatement(INSERT_AND_NOTIFY)) {
				return Latencies.measure(count, gap, probe, (index) -> enqueue(enqueue, index));
			}
			finally {
				claimer.join(5000);
				// Back to the pool as it came: a session left listening is woken by every NOTIFY.
				execute(listening, "UNLISTEN *");
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void execute(Connection connection, String sql) throws SQLException {
		try (Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	private void enqueue(PreparedStatement enqueue, int index) {
		try {
			enqueue.setInt(1, index);
			enqueue.setString(2, this.channel);
			enqueue.executeQuery().close();
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	// Woken by a notification, claim what is due, as a node's dispatcher does; the task's argument
	// is its index in the run.
	private static void claimOnWakeUp(Connection listening, Probe probe, int count) {
		int claimed = 0;
		try (PreparedStatement claim = listening.prepareStatement(CLAIM)) {
			claim.setArray(1, listening.createArrayOf("text", new String[] { "noop" }));
			PGConnection pg = listening.unwrap(PGConnection.class);
			while (claimed < count) {
				PGNotification[] notifications = pg.getNotifications(500);
				if (notifications == null || notifications.length == 0) {
					continue;
				}
				try (ResultSet rows = claim.executeQuery()) {
					while (rows.next()) {
						String args = rows.getString(3);
						probe.started(Integer.parseInt(args.substring(1, args.length() - 1).trim()));
						claimed++;
					}
				}
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The bare {@code LISTEN}/{@code NOTIFY} round trip, for comparison: no task is inserted
	 * or claimed.
	 * @param count notifications sent
	 * @param gap the pause between two of them
	 * @return the latencies
	 * @throws InterruptedException if interrupted while waiting for them
	 */
	Latencies notifyLatency(int count, Duration gap) throws InterruptedException {
		Probe probe = new Probe();
		try (Connection listening = this.data.getConnection(); Connection notifying = this.data.getConnection()) {
			execute(listening, "LISTEN " + this.channel);
			PGConnection pg = listening.unwrap(PGConnection.class);
			Thread listener = new Thread(() -> receive(pg, probe, count), "raw-listener");
			listener.start();
			try (PreparedStatement notify = notifying.prepareStatement("SELECT pg_notify(?, ?)")) {
				return Latencies.measure(count, gap, probe, (index) -> notify(notify, index));
			}
			finally {
				listener.join(5000);
				// Back to the pool as it came: a session left listening is woken by every NOTIFY.
				execute(listening, "UNLISTEN *");
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void notify(PreparedStatement notify, int index) {
		try {
			notify.setString(1, this.channel);
			notify.setString(2, Integer.toString(index));
			notify.executeQuery().close();
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void receive(PGConnection connection, Probe probe, int count) {
		int received = 0;
		try {
			while (received < count) {
				PGNotification[] notifications = connection.getNotifications(500);
				if (notifications != null) {
					for (PGNotification notification : notifications) {
						probe.started(Integer.parseInt(notification.getParameter()));
						received++;
					}
				}
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void clear() {
		this.database.execute("TRUNCATE " + this.schema + ".autotask_task RESTART IDENTITY");
	}

	@Override
	public void close() {
		this.data.close();
		this.database.dropSchema(this.schema);
	}

}
