package dev.autotask.bench;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.autotask.Autotask;
import dev.autotask.SendOptions;
import dev.autotask.TaskEventSink;
import dev.autotask.engine.Engine;
import dev.autotask.engine.EngineSettings;
import dev.autotask.engine.RateLimit;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
import dev.autotask.task.TaskRegistry;
import org.flywaydb.core.Flyway;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * autotask as a library: its own Flyway scripts, an {@link Engine} with default settings but for
 * the schema and the workers, and with events on as the starter runs it (each end writes its
 * event to the outbox, and the engine relays the events to a sink), and a {@link Autotask} client on
 * a pool of its own for the producer. A drain ends once every event is published.
 * Its batch figure is {@code Autotask.sendAll}: one multi-row {@code INSERT} and one
 * {@code pg_notify} per batch, in one transaction.
 */
final class AutotaskSubject implements Subject {

	static final String NAME = "autotask";

	/**
	 * autotask as {@link #NAME} but without the operations console's indexes (V14): the drain's
	 * cost of those indexes, side by side.
	 */
	static final String WITHOUT_CONSOLE_INDEXES = "autotask-no-console-indexes";

	/**
	 * autotask with events off: no end writes an event, no relay runs. The drain's cost of events,
	 * side by side.
	 */
	static final String WITHOUT_EVENTS = "autotask-no-events";

	/** autotask without the trigger that counts the ends of groups' members (V19). */
	static final String WITHOUT_GROUP_TRIGGER = "autotask-no-group-trigger";

	/** autotask with a limit on running tasks across the cluster that never binds. */
	static final String WITH_GLOBAL_LIMIT = "autotask-global-limit";

	/** autotask with a rate limit across the cluster that never binds. */
	static final String WITH_RATE_LIMIT = "autotask-rate-limit";

	/**
	 * autotask whose tasks have concurrency keys (1,000 keys) with a limit that never binds: the
	 * cost of the keyed claim against the plain one.
	 */
	static final String WITH_CONCURRENCY_KEYS = "autotask-concurrency-keys";

	/**
	 * autotask whose tasks have keys (1,000) limited by a rate that never binds (a million a
	 * second each): the cost of the keys' rates on top of the keyed claim.
	 */
	static final String WITH_KEY_RATES = "autotask-key-rates";

	/**
	 * autotask whose tasks have arguments ({@code [n, "customer-<n % 1000>"]}), as most real tasks
	 * do, preloaded and enqueued one by one: the cost of the console's indexes of arguments on
	 * them.
	 */
	static final String WITH_ARGS = "autotask-args";

	/** {@link #WITH_ARGS} without the console's indexes. */
	static final String WITH_ARGS_WITHOUT_CONSOLE_INDEXES = "autotask-args-no-console-indexes";

	// The queue of the bench's tasks.
	private static final String QUEUE = "default";

	private static final String NOOP = "noop";

	// A no-op of two parameters, for the tasks preloaded with arguments.
	private static final String NOOP_WITH_ARGS = "noop-with-args";

	private static final String TIMED = "timed";

	private static final String OWNER = "bench";

	private final Database database;

	private final String schema;

	private final HikariDataSource engineData;

	private final StatementTimer engineStatements;

	private final StatementTimer clientStatements;

	private final HikariDataSource clientData;

	private final TaskRegistry registry = new TaskRegistry();

	private final Probe probe = new Probe();

	// Takes every event, as the starter's sink of Spring application events does with no listener.
	private final TaskEventSink sink = (events) -> {
	};

	private final EngineSettings settings;

	private final Autotask client;

	private final JdbcClient jdbc;

	private final DataSource engineSource;

	private final String name;

	// Columns and values each preloaded task gets beyond a plain one's, each starting with a comma.
	private String preloadColumns = "";

	private String preloadValues = "";

	// The preloaded tasks' name and arguments, an SQL expression of n, their number.
	private String preloadName = NOOP;

	private String preloadArgs = "'[]'";

	AutotaskSubject(Database database, int workers) {
		this(database, workers, false);
	}

	/**
	 * Create the subject without the console's indexes.
	 * @param database the server
	 * @param workers the engine's workers
	 * @return the subject
	 */
	static AutotaskSubject withoutConsoleIndexes(Database database, int workers) {
		return withoutConsoleIndexes(new AutotaskSubject(database, workers, false, WITHOUT_CONSOLE_INDEXES,
				UnaryOperator.identity()));
	}

	/**
	 * Create the subject whose preloaded tasks have arguments.
	 * @param database the server
	 * @param workers the engine's workers
	 * @param consoleIndexes whether to keep the console's indexes
	 * @return the subject
	 */
	static AutotaskSubject withArgs(Database database, int workers, boolean consoleIndexes) {
		AutotaskSubject subject = new AutotaskSubject(database, workers, false,
				consoleIndexes ? WITH_ARGS : WITH_ARGS_WITHOUT_CONSOLE_INDEXES, UnaryOperator.identity());
		subject.preloadName = NOOP_WITH_ARGS;
		subject.preloadArgs = "jsonb_build_array(n, 'customer-' || (n % 1000))";
		return consoleIndexes ? subject : withoutConsoleIndexes(subject);
	}

	private static AutotaskSubject withoutConsoleIndexes(AutotaskSubject subject) {
		Database database = subject.database;
		database.execute("""
				DO $$
				DECLARE index_name text;
				BEGIN
					FOR index_name IN SELECT indexname FROM pg_indexes
						WHERE schemaname = '%1$s' AND indexname LIKE 'autotask\\_task\\_console%%'
					LOOP
						EXECUTE format('DROP INDEX %1$s.%%I', index_name);
					END LOOP;
				END $$""".formatted(subject.schema));
		return subject;
	}

	/**
	 * Create the subject.
	 * @param database the server
	 * @param workers the engine's workers
	 * @param timed whether to count and time every statement, for a profile
	 */
	AutotaskSubject(Database database, int workers, boolean timed) {
		this(database, workers, timed, NAME, UnaryOperator.identity());
	}

	/**
	 * autotask as {@link #NAME} but without V19's triggers: the drain's cost of the check each
	 * end of a task makes for a group, side by side.
	 * @param database the server
	 * @param workers the engine's workers
	 * @return the subject
	 */
	static AutotaskSubject withoutGroupTrigger(Database database, int workers) {
		AutotaskSubject subject = new AutotaskSubject(database, workers, false, WITHOUT_GROUP_TRIGGER,
				UnaryOperator.identity());
		database.execute("DROP TRIGGER autotask_task_group_end_trg ON %1$s.autotask_task;"
				.formatted(subject.schema) + "DROP TRIGGER autotask_task_group_delete_trg ON %1$s.autotask_task"
					.formatted(subject.schema));
		return subject;
	}

	/**
	 * autotask with events off, as {@link #WITHOUT_EVENTS}.
	 * @param database the server
	 * @param workers the engine's workers
	 * @return the subject
	 */
	static AutotaskSubject withoutEvents(Database database, int workers) {
		return new AutotaskSubject(database, workers, false, WITHOUT_EVENTS, (settings) -> settings.events(false));
	}

	/**
	 * autotask with its queue limited across the cluster, by a limit that never binds (100,000
	 * running at once): the cost of the limit's claims. A limit as high as the workers would
	 * bind: a task counts as running until its end is written, which the completer batches.
	 * @param database the server
	 * @param workers the engine's workers
	 * @return the subject
	 */
	static AutotaskSubject withGlobalLimit(Database database, int workers) {
		return new AutotaskSubject(database, workers, false, WITH_GLOBAL_LIMIT,
				(settings) -> settings.queueGlobalConcurrency(Map.of(QUEUE, 100_000)));
	}

	/**
	 * autotask with its queue's starts limited across the cluster, by a rate that never binds
	 * (a million a second): the cost of the limit's claims.
	 * @param database the server
	 * @param workers the engine's workers
	 * @return the subject
	 */
	static AutotaskSubject withRateLimit(Database database, int workers) {
		return new AutotaskSubject(database, workers, false, WITH_RATE_LIMIT,
				(settings) -> settings.queueRateLimits(Map.of(QUEUE, new RateLimit(1_000_000, Duration.ofSeconds(1)))));
	}

	/**
	 * autotask whose preloaded tasks have one of 1,000 concurrency keys, each with a limit of
	 * 10,000 running at once, which never binds.
	 * @param database the server
	 * @param workers the engine's workers
	 * @return the subject
	 */
	static AutotaskSubject withConcurrencyKeys(Database database, int workers) {
		return withKeys(new AutotaskSubject(database, workers, false, WITH_CONCURRENCY_KEYS, UnaryOperator.identity()),
				"concurrency_limit", "10000");
	}

	/**
	 * autotask whose preloaded tasks have one of 1,000 concurrency keys, each limited to a
	 * million starts a second and nothing else, which never binds.
	 * @param database the server
	 * @param workers the engine's workers
	 * @return the subject
	 */
	static AutotaskSubject withKeyRates(Database database, int workers) {
		return withKeys(new AutotaskSubject(database, workers, false, WITH_KEY_RATES, UnaryOperator.identity()),
				"key_rate_micros", "1");
	}

	// Preloaded tasks with one of 1,000 keys, and a limit of the key's in a column of its own.
	private static AutotaskSubject withKeys(AutotaskSubject subject, String limitColumn, String limit) {
		subject.preloadColumns = ", concurrency_key, " + limitColumn;
		subject.preloadValues = ", 'customer-' || (n % 1000), " + limit;
		return subject;
	}

	private AutotaskSubject(Database database, int workers, boolean timed, String name,
			UnaryOperator<EngineSettings.Builder> limits) {
		this.database = database;
		this.name = name;
		this.schema = database.createSchema(name.replace("-", ""));
		// Workers, dispatcher, LISTEN connection, heartbeat and maintenance.
		this.engineData = database.pool(this.schema, workers + 4, "autotask-engine");
		this.clientData = database.pool(this.schema, 2, "autotask-client");
		migrate(this.engineData, this.schema);
		this.engineStatements = new StatementTimer(this.engineData);
		this.clientStatements = new StatementTimer(this.clientData);
		this.registry.register(TaskDefinition.of(NOOP_WITH_ARGS, (args) -> {
			this.probe.ran();
			return null;
		}, new TaskParameter("n", int.class), new TaskParameter("customer", String.class)));
		this.registry.register(TaskDefinition.of(NOOP, (args) -> {
			this.probe.ran();
			return null;
		}));
		this.registry.register(TaskDefinition.of(TIMED, (args) -> {
			this.probe.started((Integer) args[0]);
			return null;
		}, new TaskParameter("index", Integer.class)));
		// As the starter runs it: each end writes its event to the outbox in the same statement, and
		// the engine relays the events to a sink (the starter's publishes Spring application events).
		this.settings = limits.apply(EngineSettings.builder().schema(this.schema).workers(workers).events(true))
			.build();
		this.client = Engine.builder(timed ? this.clientStatements : this.clientData, this.registry)
			.settings(this.settings)
			.buildClient();
		this.engineSource = timed ? this.engineStatements : this.engineData;
		this.jdbc = JdbcClient.create(this.clientData);
	}

	static void migrate(HikariDataSource dataSource, String schema) {
		Flyway.configure()
			.dataSource(dataSource)
			.schemas(schema)
			.locations("classpath:db/autotask")
			.table("autotask_schema_history")
			.load()
			.migrate();
	}

	StatementTimer engineStatements() {
		return this.engineStatements;
	}

	StatementTimer clientStatements() {
		return this.clientStatements;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public void preload(int count) {
		preload(this.database, this.schema, count, this.preloadName, this.preloadArgs, this.preloadColumns,
				this.preloadValues);
	}

	/**
	 * Insert due no-op tasks as {@code Autotask.send} would, minus the notification.
	 */
	static void preload(Database database, String schema, int count) {
		preload(database, schema, count, NOOP, "'[]'", "", "");
	}

	private static void preload(Database database, String schema, int count, String name, String args,
			String columns, String values) {
		database.execute("""
				INSERT INTO %s.autotask_task (name, owner, args, max_attempts, ttl%s)
				SELECT '%s', '%s', %s, 1, interval '7 days'%s FROM generate_series(1, %d) AS n"""
			.formatted(schema, columns, name, OWNER, args, values, count));
		database.execute("VACUUM ANALYZE " + schema + ".autotask_task");
	}

	@Override
	public Duration drain(int count) throws InterruptedException {
		this.probe.expect(count);
		Engine engine = Engine.builder(this.engineSource, this.registry)
			.settings(this.settings)
			.sinks(List.of(this.sink))
			.build();
		long start = System.nanoTime();
		engine.start();
		try {
			this.probe.await(TIMEOUT);
			Awaiting.until(this::allEnded, "the last outcomes to be written");
			// Done once every event is published too, not only written.
			Awaiting.until(this::allPublished, "the last events to be published");
			return Duration.ofNanos(System.nanoTime() - start);
		}
		finally {
			engine.stop();
		}
	}

	private boolean allPublished() {
		return !this.settings.events()
				|| !this.jdbc.sql("SELECT EXISTS (SELECT 1 FROM autotask_outbox)").query(Boolean.class).single();
	}

	private boolean allEnded() {
		return !this.jdbc.sql("SELECT EXISTS (SELECT 1 FROM autotask_task WHERE status IN ('PENDING', 'RUNNING'))")
			.query(Boolean.class)
			.single();
	}

	@Override
	public void enqueueOneByOne(int count) {
		for (int i = 0; i < count; i++) {
			if (NOOP_WITH_ARGS.equals(this.preloadName)) {
				this.client.send(NOOP_WITH_ARGS, OWNER, i, "customer-" + (i % 1000));
			}
			else {
				this.client.send(NOOP, OWNER);
			}
		}
	}

	@Override
	public void enqueueBatches(int count, int batchSize) {
		for (int sent = 0; sent < count; sent += batchSize) {
			int size = Math.min(batchSize, count - sent);
			List<Object[]> args = Collections.nCopies(size, new Object[0]);
			this.client.sendAll(NOOP, SendOptions.owner(OWNER), args);
		}
	}

	@Override
	public Latencies latency(int count, Duration gap) throws InterruptedException {
		Engine engine = Engine.builder(this.engineSource, this.registry)
			.settings(this.settings)
			.sinks(List.of(this.sink))
			.build();
		engine.start();
		try {
			// Let the start-up work (heartbeat, election, first empty claim) settle first.
			Thread.sleep(1000);
			return Latencies.measure(count, gap, this.probe, (index) -> this.client.send(TIMED, OWNER, index));
		}
		finally {
			engine.stop();
		}
	}

	@Override
	public void clear() {
		this.database.execute(
				"TRUNCATE " + this.schema + ".autotask_task, " + this.schema + ".autotask_outbox RESTART IDENTITY");
	}

	@Override
	public void close() {
		this.engineData.close();
		this.clientData.close();
		this.database.dropSchema(this.schema);
	}

}
