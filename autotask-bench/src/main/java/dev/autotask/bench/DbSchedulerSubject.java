package dev.autotask.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.jdbc.PostgreSqlJdbcCustomization;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariDataSource;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * db-scheduler, tuned for throughput as its author's own benchmark tunes it: the single-statement
 * PostgreSQL {@code SKIP LOCKED} "lock-and-fetch" polling, fetching up to four times the worker
 * count and fetching again when fewer than twice the worker count are queued, with 100 ms
 * polling. One-time tasks are deleted when they succeed, so a drain is done when the table is
 * empty. Producers use a separate {@link SchedulerClient}, as another node would: db-scheduler's
 * {@code enableImmediateExecution} helps only a {@code schedule} call on the scheduler's own
 * instance, so it is off.
 */
final class DbSchedulerSubject implements Subject {

	static final String NAME = "db-scheduler";

	static final Duration POLLING_INTERVAL = Duration.ofMillis(100);

	static final double LOWER_LIMIT_FRACTION_OF_THREADS = 2.0;

	static final double UPPER_LIMIT_FRACTION_OF_THREADS = 4.0;

	// db-scheduler's documented PostgreSQL table (db-scheduler/src/test/resources/postgresql_tables.sql),
	// with the migrations that file lists at its end already applied.
	private static final String[] DDL = { """
			CREATE TABLE scheduled_tasks (
				task_name text NOT NULL,
				task_instance text NOT NULL,
				task_data bytea,
				execution_time timestamp with time zone,
				picked boolean NOT NULL,
				picked_by text,
				last_success timestamp with time zone,
				last_failure timestamp with time zone,
				consecutive_failures int,
				last_heartbeat timestamp with time zone,
				version bigint NOT NULL,
				priority smallint,
				state text,
				PRIMARY KEY (task_name, task_instance))""",
			"CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time)",
			"CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat)",
			"CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC)" };

	private final Database database;

	private final String schema;

	private final HikariDataSource schedulerData;

	private final HikariDataSource clientData;

	private final int workers;

	private final Probe probe = new Probe();

	private final AtomicLong instances = new AtomicLong();

	private final OneTimeTask<Void> noop;

	private final OneTimeTask<Integer> timed;

	private final SchedulerClient client;

	private final JdbcClient jdbc;

	DbSchedulerSubject(Database database, int workers) {
		this.database = database;
		this.schema = database.createSchema("dbscheduler");
		for (String statement : DDL) {
			database.execute("SET search_path TO " + this.schema + "; " + statement);
		}
		// Workers, the polling thread, heartbeats and housekeeping.
		this.schedulerData = database.pool(this.schema, workers + 4, "db-scheduler");
		this.clientData = database.pool(this.schema, 2, "db-scheduler-client");
		this.workers = workers;
		this.noop = Tasks.oneTime("noop").execute((instance, context) -> this.probe.ran());
		this.timed = Tasks.oneTime("timed", Integer.class)
			.execute((instance, context) -> this.probe.started(instance.getData()));
		this.client = SchedulerClient.Builder.create(this.clientData, this.noop, this.timed)
			.jdbcCustomization(new PostgreSqlJdbcCustomization(false, false))
			.build();
		this.jdbc = JdbcClient.create(this.clientData);
	}

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public void preload(int count) {
		this.database.execute("""
				INSERT INTO %s.scheduled_tasks (task_name, task_instance, execution_time, picked, version)
				SELECT 'noop', 'preloaded-' || n, now(), false, 1 FROM generate_series(1, %d) AS n"""
			.formatted(this.schema, count));
		this.database.execute("VACUUM ANALYZE " + this.schema + ".scheduled_tasks");
	}

	private Scheduler scheduler() {
		return Scheduler.create(this.schedulerData, this.noop, this.timed)
			.threads(this.workers)
			.pollingInterval(POLLING_INTERVAL)
			.pollUsingLockAndFetch(LOWER_LIMIT_FRACTION_OF_THREADS, UPPER_LIMIT_FRACTION_OF_THREADS)
			.jdbcCustomization(new PostgreSqlJdbcCustomization(false, false))
			.shutdownMaxWait(Duration.ofSeconds(5))
			.build();
	}

	@Override
	public Duration drain(int count) throws InterruptedException {
		this.probe.expect(count);
		Scheduler scheduler = scheduler();
		long start = System.nanoTime();
		scheduler.start();
		try {
			this.probe.await(TIMEOUT);
			Awaiting.until(this::empty, "the last executions to be deleted");
			return Duration.ofNanos(System.nanoTime() - start);
		}
		finally {
			scheduler.stop();
		}
	}

	private boolean empty() {
		return !this.jdbc.sql("SELECT EXISTS (SELECT 1 FROM scheduled_tasks)").query(Boolean.class).single();
	}

	@Override
	public void enqueueOneByOne(int count) {
		for (int i = 0; i < count; i++) {
			this.client.schedule(this.noop.instance("enqueued-" + this.instances.incrementAndGet()), Instant.now());
		}
	}

	@Override
	public void enqueueBatches(int count, int batchSize) {
		for (int sent = 0; sent < count; sent += batchSize) {
			int size = Math.min(batchSize, count - sent);
			List<TaskInstance<?>> batch = new ArrayList<>(size);
			for (int i = 0; i < size; i++) {
				batch.add(this.noop.instance("batched-" + this.instances.incrementAndGet()));
			}
			this.client.scheduleBatch(batch, Instant.now());
		}
	}

	@Override
	public Latencies latency(int count, Duration gap) throws InterruptedException {
		Scheduler scheduler = scheduler();
		scheduler.start();
		try {
			Thread.sleep(1000);
			return Latencies.measure(count, gap, this.probe, (index) -> this.client
				.schedule(this.timed.instance("timed-" + this.instances.incrementAndGet(), index), Instant.now()));
		}
		finally {
			scheduler.stop();
		}
	}

	@Override
	public void clear() {
		this.database.execute("TRUNCATE " + this.schema + ".scheduled_tasks");
	}

	@Override
	public void close() {
		this.schedulerData.close();
		this.clientData.close();
		this.database.dropSchema(this.schema);
	}

}
