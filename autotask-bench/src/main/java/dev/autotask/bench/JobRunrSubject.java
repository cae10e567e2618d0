package dev.autotask.bench;

import java.time.Duration;
import java.util.UUID;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariDataSource;
import org.jobrunr.jobs.lambdas.JobRequest;
import org.jobrunr.jobs.lambdas.JobRequestHandler;
import org.jobrunr.jobs.mappers.JobMapper;
import org.jobrunr.scheduling.JobRequestScheduler;
import org.jobrunr.server.BackgroundJobServer;
import org.jobrunr.server.BackgroundJobServerConfiguration;
import org.jobrunr.server.JobActivator;
import org.jobrunr.storage.StorageProviderUtils.DatabaseOptions;
import org.jobrunr.storage.sql.postgres.PostgresStorageProvider;
import org.jobrunr.utils.mapper.jackson3.Jackson3JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * JobRunr with its PostgreSQL storage provider and Jackson 3 mapper, built by hand rather than
 * through the static {@code JobRunr.configure()}, so that each drain gets a fresh server. Tasks
 * are {@link JobRequest}s, which need no lambda analysis; the batch path is
 * {@code JobRequestScheduler.enqueue(Stream)}. Its poll interval cannot go below 5 seconds, which
 * bounds its latency: there is no notification path.
 */
final class JobRunrSubject implements Subject {

	static final String NAME = "JobRunr";

	// The smallest JobRunr accepts: below it, AbstractStorageProvider.validatePollInterval throws
	// "The smallest supported pollInterval is 5 seconds".
	static final Duration POLL_INTERVAL = Duration.ofSeconds(5);

	private final Database database;

	private final String schema;

	private final HikariDataSource serverData;

	private final HikariDataSource clientData;

	private final int workers;

	private final Probe probe = new Probe();

	private final Jackson3JsonMapper json = new Jackson3JsonMapper();

	private final PostgresStorageProvider serverStorage;

	private final JobRequestScheduler client;

	private final JdbcClient jdbc;

	JobRunrSubject(Database database, int workers) {
		this.database = database;
		this.schema = database.createSchema("jobrunr");
		// Workers plus JobRunr's own zookeeper and master threads.
		this.serverData = database.pool(this.schema, workers + 4, "jobrunr");
		this.clientData = database.pool(this.schema, 2, "jobrunr-client");
		this.workers = workers;
		this.serverStorage = storage(this.serverData, DatabaseOptions.CREATE);
		this.client = new JobRequestScheduler(storage(this.clientData, DatabaseOptions.SKIP_CREATE));
		this.jdbc = JdbcClient.create(this.clientData);
	}

	private PostgresStorageProvider storage(HikariDataSource dataSource, DatabaseOptions options) {
		PostgresStorageProvider storage = new PostgresStorageProvider(dataSource, options);
		storage.setJobMapper(new JobMapper(this.json));
		return storage;
	}

	@Override
	public String name() {
		return NAME;
	}

	/**
	 * Enqueue one job through the API, then copy its row {@code count - 1} times with fresh ids
	 * (the id appears in the row and inside its JSON).
	 */
	@Override
	public void preload(int count) {
		UUID template = this.client.enqueue(new NoopRequest()).asUUID();
		this.database.execute("""
				INSERT INTO %1$s.jobrunr_jobs (id, version, jobasjson, jobsignature, state, createdat, updatedat,
					scheduledat, recurringjobid)
				SELECT copy.id, job.version, replace(job.jobasjson, job.id, copy.id), job.jobsignature, job.state,
					job.createdat, job.updatedat, job.scheduledat, job.recurringjobid
				FROM %1$s.jobrunr_jobs AS job
				CROSS JOIN (SELECT gen_random_uuid()::text AS id FROM generate_series(2, %2$d)) AS copy
				WHERE job.id = '%3$s'""".formatted(this.schema, count, template));
		this.database.execute("VACUUM ANALYZE " + this.schema + ".jobrunr_jobs");
	}

	private BackgroundJobServer server() {
		JobActivator activator = new JobActivator() {
			@Override
			@SuppressWarnings("unchecked")
			public <T> T activateJob(Class<T> type) {
				return (T) ((type == TimedHandler.class) ? new TimedHandler(JobRunrSubject.this.probe)
						: new NoopHandler(JobRunrSubject.this.probe));
			}
		};
		return new BackgroundJobServer(this.serverStorage, this.json, activator,
				BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration()
					.andWorkerCount(this.workers)
					.andPollInterval(POLL_INTERVAL));
	}

	@Override
	public Duration drain(int count) throws InterruptedException {
		this.probe.expect(count);
		BackgroundJobServer server = server();
		long start = System.nanoTime();
		server.start();
		try {
			this.probe.await(TIMEOUT);
			Awaiting.until(this::allEnded, "the last jobs to be marked succeeded");
			return Duration.ofNanos(System.nanoTime() - start);
		}
		finally {
			server.stop();
		}
	}

	private boolean allEnded() {
		return !this.jdbc.sql("SELECT EXISTS (SELECT 1 FROM jobrunr_jobs WHERE state IN ('ENQUEUED', 'PROCESSING'))")
			.query(Boolean.class)
			.single();
	}

	@Override
	public void enqueueOneByOne(int count) {
		for (int i = 0; i < count; i++) {
			this.client.enqueue(new NoopRequest());
		}
	}

	@Override
	public void enqueueBatches(int count, int batchSize) {
		for (int sent = 0; sent < count; sent += batchSize) {
			this.client.enqueue(Stream.generate(NoopRequest::new).limit(Math.min(batchSize, count - sent)));
		}
	}

	@Override
	public Latencies latency(int count, Duration gap) throws InterruptedException {
		BackgroundJobServer server = server();
		server.start();
		try {
			Thread.sleep(1000);
			return Latencies.measure(count, gap, this.probe, (index) -> this.client.enqueue(new TimedRequest(index)));
		}
		finally {
			server.stop();
		}
	}

	@Override
	public void clear() {
		this.database.execute("TRUNCATE " + this.schema + ".jobrunr_jobs");
	}

	@Override
	public void close() {
		this.serverStorage.close();
		this.serverData.close();
		this.clientData.close();
		this.database.dropSchema(this.schema);
	}

	/**
	 * A no-op job. Public, with a no-argument constructor: JobRunr writes it as JSON and reads it
	 * back by reflection.
	 */
	public static final class NoopRequest implements JobRequest {

		@Override
		public Class<NoopHandler> getJobRequestHandler() {
			return NoopHandler.class;
		}

	}

	/**
	 * Runs a {@link NoopRequest}.
	 */
	public static final class NoopHandler implements JobRequestHandler<NoopRequest> {

		private final Probe probe;

		NoopHandler(Probe probe) {
			this.probe = probe;
		}

		@Override
		public void run(NoopRequest request) {
			this.probe.ran();
		}

	}

	/**
	 * A job that records when it starts.
	 */
	public static final class TimedRequest implements JobRequest {

		private int index;

		public TimedRequest() {
		}

		TimedRequest(int index) {
			this.index = index;
		}

		public int getIndex() {
			return this.index;
		}

		public void setIndex(int index) {
			this.index = index;
		}

		@Override
		public Class<TimedHandler> getJobRequestHandler() {
			return TimedHandler.class;
		}

	}

	/**
	 * Runs a {@link TimedRequest}.
	 */
	public static final class TimedHandler implements JobRequestHandler<TimedRequest> {

		private final Probe probe;

		TimedHandler(Probe probe) {
			this.probe = probe;
		}

		@Override
		public void run(TimedRequest request) {
			this.probe.started(request.getIndex());
		}

	}

}
