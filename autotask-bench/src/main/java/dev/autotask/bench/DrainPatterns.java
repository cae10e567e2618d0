package dev.autotask.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariDataSource;

/**
 * Plain-JDBC drains of autotask's table in autotask's pattern and in variations of it, to price
 * each change to the engine before anyone makes it: claiming only as many rows as there are free
 * worker slots from one dispatcher thread, or 100 at a time per worker; completing each task in
 * its own transaction, or many in one statement; with and without {@code synchronous_commit}.
 */
final class DrainPatterns {

	private static final String CLAIM = """
			UPDATE autotask_task SET status = 'RUNNING', attempt = attempt + 1, started_at = now(), node_id = 'raw'
			WHERE id IN (
				SELECT id FROM autotask_task
				WHERE status = 'PENDING' AND run_at <= now() AND name = ANY('{noop}')
				ORDER BY priority DESC, run_at, id
				LIMIT ?
				FOR UPDATE SKIP LOCKED)
			RETURNING id, attempt""";

	private static final String COMPLETE = """
			UPDATE autotask_task SET status = 'SUCCESS', result = NULL, finished_at = now(), expires_at = now() + ttl
			WHERE id = ? AND status = 'RUNNING' AND node_id = 'raw' AND attempt = ?""";

	private static final String COMPLETE_MANY = """
			UPDATE autotask_task SET status = 'SUCCESS', result = NULL, finished_at = now(), expires_at = now() + ttl
			WHERE id = ANY(?) AND status = 'RUNNING' AND node_id = 'raw'""";

	private final Database database;

	private final int workers;

	DrainPatterns(Database database, int workers) {
		this.database = database;
		this.workers = workers;
	}

	List<String> run(int count) throws Exception {
		List<String> lines = new ArrayList<>();
		String schema = this.database.createSchema("patterns");
		try (HikariDataSource data = this.database.pool(schema, this.workers + 2, "patterns")) {
			AutotaskSubject.migrate(data, schema);
			lines.add(time(schema, count, "dispatcher claims free slots, one commit per completion (autotask before the Completer)",
					() -> dispatched(data, false)));
			lines.add(time(schema, count, "same, completions with synchronous_commit = off",
					() -> dispatched(data, true)));
			lines.add(time(schema, count, "each worker claims 100, one commit per completion",
					() -> perWorker(data, false, false)));
			lines.add(time(schema, count, "each worker claims 100, one commit per completion, synchronous_commit = off",
					() -> perWorker(data, false, true)));
			lines.add(time(schema, count, "each worker claims 100, one commit per 100 completions (the bound)",
					() -> perWorker(data, true, false)));
		}
		finally {
			this.database.dropSchema(schema);
		}
		return lines;
	}

	private String time(String schema, int count, String pattern, Drain drain) throws Exception {
		this.database.execute("TRUNCATE " + schema + ".autotask_task");
		AutotaskSubject.preload(this.database, schema, count);
		this.database.execute("CHECKPOINT");
		long start = System.nanoTime();
		int drained = drain.run();
		Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
		if (drained != count) {
			throw new IllegalStateException(pattern + " drained " + drained + " tasks, expected " + count);
		}
		return String.format(Locale.ROOT, "%,9.0f tasks/s  %s", count / (elapsed.toNanos() / 1e9), pattern);
	}

	/**
	 * autotask's Dispatcher and TaskRunner in plain JDBC: one thread claims as many rows as there
	 * are free slots, and each worker completes its task in a transaction of its own.
	 */
	private int dispatched(HikariDataSource data, boolean asyncCommit) throws Exception {
		ExecutorService workers = Executors.newFixedThreadPool(this.workers);
		Semaphore slots = new Semaphore(this.workers);
		AtomicInteger done = new AtomicInteger();
		try (Connection dispatcher = data.getConnection(); PreparedStatement claim = dispatcher.prepareStatement(CLAIM)) {
			while (true) {
				// Wait for at least one free slot, then claim them all, as Dispatcher.dispatchOnce does.
				slots.acquire();
				int free = 1 + slots.drainPermits();
				claim.setInt(1, free);
				int claimed = 0;
				try (ResultSet rows = claim.executeQuery()) {
					while (rows.next()) {
						long id = rows.getLong(1);
						int attempt = rows.getInt(2);
						claimed++;
						workers.execute(() -> {
							complete(data, id, attempt, asyncCommit);
							done.incrementAndGet();
							slots.release();
						});
					}
				}
				slots.release(free - claimed);
				if (claimed == 0) {
					break;
				}
			}
			workers.shutdown();
			workers.awaitTermination(1, TimeUnit.MINUTES);
			return done.get();
		}
	}

	private static void complete(HikariDataSource data, long id, int attempt, boolean asyncCommit) {
		try (Connection connection = data.getConnection();
				PreparedStatement complete = connection.prepareStatement(COMPLETE)) {
			if (asyncCommit) {
				try (Statement statement = connection.createStatement()) {
					statement.execute("SET synchronous_commit = off");
				}
			}
			complete.setLong(1, id);
			complete.setInt(2, attempt);
			complete.executeUpdate();
			if (asyncCommit) {
				try (Statement statement = connection.createStatement()) {
					statement.execute("RESET synchronous_commit");
				}
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Every worker claims 100 rows at a time and completes them one by one or all at once.
	 */
	private int perWorker(HikariDataSource data, boolean batched, boolean asyncCommit) throws Exception {
		ExecutorService threads = Executors.newFixedThreadPool(this.workers);
		try {
			List<Future<Integer>> results = new ArrayList<>();
			for (int i = 0; i < this.workers; i++) {
				results.add(threads.submit(() -> workerLoop(data, batched, asyncCommit)));
			}
			int total = 0;
			for (Future<Integer> result : results) {
				total += result.get();
			}
			return total;
		}
		finally {
			threads.shutdownNow();
		}
	}

	private static int workerLoop(HikariDataSource data, boolean batched, boolean asyncCommit) throws SQLException {
		int done = 0;
		try (Connection connection = data.getConnection();
				PreparedStatement claim = connection.prepareStatement(CLAIM);
				PreparedStatement complete = connection.prepareStatement(COMPLETE);
				PreparedStatement completeMany = connection.prepareStatement(COMPLETE_MANY);
				Statement session = connection.createStatement()) {
			session.execute("SET synchronous_commit = " + (asyncCommit ? "off" : "on"));
			while (true) {
				claim.setInt(1, RawSqlSubject.CLAIM_BATCH);
				List<long[]> rows = new ArrayList<>();
				// The claim itself always commits synchronously: only completions are relaxed.
				session.execute("SET synchronous_commit = on");
				try (ResultSet result = claim.executeQuery()) {
					while (result.next()) {
						rows.add(new long[] { result.getLong(1), result.getInt(2) });
					}
				}
				session.execute("SET synchronous_commit = " + (asyncCommit ? "off" : "on"));
				if (rows.isEmpty()) {
					return done;
				}
				if (batched) {
					completeMany.setArray(1,
							connection.createArrayOf("bigint", rows.stream().map((row) -> row[0]).toArray()));
					completeMany.executeUpdate();
				}
				else {
					for (long[] row : rows) {
						complete.setLong(1, row[0]);
						complete.setInt(2, (int) row[1]);
						complete.executeUpdate();
					}
				}
				done += rows.size();
			}
		}
	}

	@FunctionalInterface
	private interface Drain {

		int run() throws Exception;

	}

}
