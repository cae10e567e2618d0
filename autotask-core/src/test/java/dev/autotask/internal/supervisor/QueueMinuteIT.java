package dev.autotask.internal.supervisor;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.autotask.QueuePoint;
import dev.autotask.internal.jdbc.QueueMinuteTable;
import dev.autotask.internal.jdbc.TableNames;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The queues' minutes on a real PostgreSQL, driven step by step: a node's {@link CountFlusher}
 * adds what its workers counted and keeps it through a failed flush; the leader's
 * {@link QueueSampler} records depth and oldest age per owner and queue, and prunes old minutes.
 */
class QueueMinuteIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private final FlakyDataSource dataSource = new FlakyDataSource();

	private final OutcomeCounts counts = new OutcomeCounts();

	private QueueMinuteTable table;

	private CountFlusher flusher;

	private QueueSampler sampler;

	private TaskRows rows;

	@BeforeEach
	void setUp() {
		this.table = new QueueMinuteTable(this.dataSource, new TableNames(postgres.schema()));
		this.flusher = new CountFlusher(this.counts, this.table);
		this.sampler = new QueueSampler(this.table, Duration.ofSeconds(30));
		this.rows = new TaskRows(postgres);
	}

	@Test
	void flushAddsEachOwnersAndQueuesEndsToTheCurrentMinute() {
		this.counts.ended("a", "mail", true);
		this.counts.ended("a", "mail", true);
		this.counts.ended("a", "mail", false);
		this.counts.ended("b", "mail", true);

		assertThat(this.flusher.runOnce()).isEqualTo(2);
		this.counts.ended("a", "mail", true);
		assertThat(this.flusher.runOnce()).isOne();

		assertThat(totals()).containsOnly(Map.entry("a/mail", List.of(3L, 1L)), Map.entry("b/mail", List.of(1L, 0L)));
		assertThat(this.flusher.runOnce()).as("nothing ended since").isZero();
	}

	@Test
	void countsOfAFailedFlushAreAddedByTheNextOnce() {
		this.counts.ended("a", "mail", true);
		this.counts.ended("a", "mail", false);
		this.dataSource.down.set(true);

		assertThatExceptionOfType(RuntimeException.class).isThrownBy(this.flusher::runOnce);
		this.counts.ended("a", "mail", true);
		this.dataSource.down.set(false);
		this.flusher.runOnce();

		assertThat(totals()).containsOnly(Map.entry("a/mail", List.of(2L, 1L)));
	}

	@Test
	void sampleRecordsDueDepthAndOldestAgePerOwnerAndQueue() {
		pendingTask("a", "mail", Duration.ofMinutes(3));
		pendingTask("a", "mail", Duration.ZERO);
		pendingTask("b", "mail", Duration.ZERO);
		pendingTask("a", "reports", Duration.ofMinutes(-5));

		assertThat(this.sampler.runOnce()).as("the queue with a task due later only has none due").isEqualTo(2);

		QueuePoint now = latestSample("a", "mail");
		assertThat(now.depth()).isEqualTo(2);
		assertThat(now.oldestPendingAge()).isBetween(Duration.ofMinutes(3), Duration.ofMinutes(4));
		assertThat(latestSample("b", "mail").depth()).isOne();
		assertThat(this.table.find("a", "reports", Duration.ofMinutes(1), 2)).allMatch((point) -> point.depth() == null);
	}

	@Test
	void queueEmptiedSinceTheLastSampleIsSampledAsEmpty() {
		long task = pendingTask("a", "mail", Duration.ZERO);
		this.sampler.runOnce();
		postgres.jdbc().sql("DELETE FROM autotask_task WHERE id = ?").param(task).update();

		this.sampler.runOnce();

		QueuePoint now = latestSample("a", "mail");
		assertThat(now.depth()).isZero();
		assertThat(now.oldestPendingAge()).isZero();
	}

	@Test
	void pointsFillTheWindowWithBucketsSummingTheirMinutes() {
		minute("a", "mail", Duration.ofMinutes(20), 4, 1, 7L);
		minute("a", "mail", Duration.ofMinutes(21), 6, 0, 9L);
		minute("a", "mail", Duration.ZERO, 1, 0, null);

		List<QueuePoint> hour = this.table.find("a", "mail", Duration.ofMinutes(1), 60);
		List<QueuePoint> day = this.table.find("a", "mail", Duration.ofMinutes(15), 96);

		assertThat(hour).hasSize(60).allMatch((point) -> point.length().equals(Duration.ofMinutes(1)));
		assertThat(hour.stream().mapToLong(QueuePoint::succeeded).sum()).isEqualTo(11);
		assertThat(hour.stream().mapToLong(QueuePoint::failed).sum()).isOne();
		assertThat(hour).filteredOn((point) -> point.depth() != null).extracting(QueuePoint::depth).containsExactly(9L, 7L);
		assertThat(day).hasSize(96).allMatch((point) -> point.length().equals(Duration.ofMinutes(15)));
		assertThat(day.get(95).start()).isBeforeOrEqualTo(hour.get(59).start());
		assertThat(day.stream().mapToLong(QueuePoint::succeeded).sum()).isEqualTo(11);
		assertThat(day.stream().map(QueuePoint::depth).filter((depth) -> depth != null).max(Long::compare))
			.as("a bucket's depth is its highest").hasValue(9L);
	}

	@Test
	void pruneDeletesMinutesOlderThanADayAndAnHour() {
		minute("a", "mail", Duration.ofHours(26), 1, 0, null);
		minute("a", "mail", Duration.ofHours(24), 1, 0, null);

		this.sampler.runOnce();

		assertThat(postgres.jdbc().sql("SELECT count(*) FROM autotask_queue_minute").query(Long.class).single())
			.isOne();
	}

	@Test
	void runIfDueSamplesAtOnceThenWaitsAnInterval() {
		pendingTask("a", "mail", Duration.ZERO);
		this.sampler.runIfDue();
		pendingTask("a", "mail", Duration.ZERO);
		this.sampler.runIfDue();

		assertThat(latestSample("a", "mail").depth()).isOne();
	}

	// The last point sampled in the last two minutes: a test may cross into the next minute.
	private QueuePoint latestSample(String owner, String queue) {
		return this.table.find(owner, queue, Duration.ofMinutes(1), 2)
			.stream()
			.filter((point) -> point.depth() != null)
			.reduce((first, second) -> second)
			.orElseThrow();
	}

	private long pendingTask(String owner, String queue, Duration waited) {
		long id = this.rows.aPendingTask("report", owner, "[]");
		postgres.jdbc()
			.sql("UPDATE autotask_task SET queue = ?, run_at = now() - ? * interval '1 second' WHERE id = ?")
			.params(queue, waited.toSeconds(), id)
			.update();
		return id;
	}

	private void minute(String owner, String queue, Duration ago, long succeeded, long failed, Long depth) {
		postgres.jdbc()
			.sql("INSERT INTO autotask_queue_minute (owner, queue, minute, succeeded, failed, depth, oldest_pending_ms)"
					+ " VALUES (?, ?, date_trunc('minute', now() - ? * interval '1 second'), ?, ?, ?, ?)")
			.params(owner, queue, ago.toSeconds(), succeeded, failed, depth, depth)
			.update();
	}

	// Succeeded and failed per owner/queue, over all minutes: a flush near a minute's end may
	// land in the next.
	private Map<String, List<Long>> totals() {
		return postgres.jdbc()
			.sql("SELECT owner || '/' || queue, sum(succeeded), sum(failed) FROM autotask_queue_minute"
					+ " GROUP BY owner, queue")
			.query((rs, row) -> Map.entry(rs.getString(1), List.of(rs.getLong(2), rs.getLong(3))))
			.list()
			.stream()
			.collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
	}

	/**
	 * The test's database, which can be made unreachable.
	 */
	private static final class FlakyDataSource extends DelegatingDataSource {

		final AtomicBoolean down = new AtomicBoolean();

		FlakyDataSource() {
			super(postgres.dataSource());
		}

		@Override
		public Connection getConnection() throws SQLException {
			if (this.down.get()) {
				throw new SQLTransientConnectionException("The test took the database away", "08001");
			}
			return super.getConnection();
		}

	}

}
