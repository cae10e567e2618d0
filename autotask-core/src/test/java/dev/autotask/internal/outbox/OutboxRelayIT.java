package dev.autotask.internal.outbox;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import javax.sql.DataSource;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariDataSource;
import dev.autotask.TaskEvent;
import dev.autotask.TaskEventSink;
import dev.autotask.TaskFailure;
import dev.autotask.TaskInfo;
import dev.autotask.TaskStatus;
import dev.autotask.engine.Engine;
import dev.autotask.engine.EngineSettings;
import dev.autotask.internal.engine.TaskClient;
import dev.autotask.internal.jdbc.OutboxTable;
import dev.autotask.internal.jdbc.TableNames;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The outbox relay on a real PostgreSQL: events reach the sinks with their fields, once each,
 * in order; a failing sink holds them back without losing them, and without a busy loop; two
 * nodes share the work without publishing an event twice.
 */
class OutboxRelayIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final String OWNER = "app-a";

	// Small batches and a quick back-off, so that a recovery takes milliseconds; a poll interval
	// far longer than any test, so that only notifications and full batches drive the relay.
	private static final RelaySettings QUICK = new RelaySettings(5, Duration.ofMinutes(1),
			Duration.ofMillis(10), Duration.ofMillis(50));

	private final TaskJson json = new TaskJson();

	private final Deque<Runnable> cleanUps = new ArrayDeque<>();

	private TaskRows rows;

	private OutboxTable outbox;

	@BeforeEach
	void setUp() {
		this.rows = new TaskRows(postgres);
		this.outbox = new OutboxTable(postgres.dataSource(), names());
	}

	@AfterEach
	void tearDown() {
		while (!this.cleanUps.isEmpty()) {
			this.cleanUps.pop().run();
		}
	}

	@Test
	void eventsOfSuccessAndFailureReachTheSinkWithTheirFields() {
		TaskRegistry registry = new TaskRegistry();
		registry.register(TaskDefinition.of("fine", (args) -> "ok").withResultType(String.class));
		registry.register(TaskDefinition.of("fatal", (args) -> {
			throw new TaskFailure("customer 7 has no billing address");
		}));
		registry.register(TaskDefinition.of("broken", (args) -> {
			throw new IllegalStateException("boom");
		}).withRetries(0));
		RecordingSink sink = new RecordingSink();
		EngineSettings settings = EngineSettings.builder()
			.schema(postgres.schema())
			.pollInterval(Duration.ofMinutes(1))
			.events(true)
			.build();
		Engine engine = Engine.builder(postgres.dataSource(), registry).settings(settings).sinks(List.of(sink)).build();
		TaskClient client = new TaskClient(postgres.dataSource(), registry, this.json, settings);
		engine.start();
		this.cleanUps.push(engine::stop);

		long fine = client.send("fine", OWNER).id();
		long fatal = client.send("fatal", OWNER).id();
		long broken = client.send("broken", OWNER).id();

		await().atMost(Duration.ofSeconds(10)).until(() -> sink.events().size() == 3);
		Map<Long, TaskEvent> byTask = sink.events()
			.stream()
			.collect(Collectors.toMap(TaskEvent::taskId, Function.identity()));
		TaskEvent success = byTask.get(fine);
		assertThat(success.name()).isEqualTo("fine");
		assertThat(success.owner()).isEqualTo(OWNER);
		assertThat(success.outcome()).isEqualTo(TaskStatus.SUCCESS);
		assertThat(success.succeeded()).isTrue();
		assertThat(success.result()).isEqualTo("\"ok\"");
		assertThat(success.error()).isNull();
		TaskInfo fineInfo = client.status(fine, OWNER).orElseThrow();
		assertThat(success.at()).isEqualTo(fineInfo.finishedAt());
		TaskEvent failure = byTask.get(fatal);
		assertThat(failure.outcome()).isEqualTo(TaskStatus.FAILURE);
		assertThat(failure.result()).isEqualTo("\"customer 7 has no billing address\"");
		assertThat(failure.error().type()).isEqualTo(TaskFailure.class.getName());
		assertThat(failure.error().message()).isEqualTo("customer 7 has no billing address");
		assertThat(failure.error().stackTrace()).isNull();
		TaskEvent crash = byTask.get(broken);
		assertThat(crash.outcome()).isEqualTo(TaskStatus.FAILURE);
		assertThat(crash.result()).isNull();
		assertThat(crash.error().type()).isEqualTo(IllegalStateException.class.getName());
		assertThat(crash.error().stackTrace()).contains("IllegalStateException: boom");
		assertThat(sink.events()).extracting(TaskEvent::id).doesNotHaveDuplicates();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.outbox.count() == 0);
	}

	@Test
	void sinkThatFailsThenRecoversGetsEveryEventExactlyOnceInIdOrder() {
		List<Long> ids = events(12);
		RecordingSink sink = new RecordingSink().failingFirst(3);
		ListAppender<ILoggingEvent> log = captureLog();

		start(relay(postgres.dataSource(), QUICK, sink));

		await().atMost(Duration.ofSeconds(10)).until(() -> this.outbox.count() == 0);
		assertThat(sink.events()).extracting(TaskEvent::id).containsExactlyElementsOf(ids);
		// Three failed attempts at the first batch, then the three batches of 5, 5 and 2.
		assertThat(sink.calls()).hasValue(6);
		assertThat(log.list).filteredOn((event) -> event.getLevel() == Level.WARN)
			.singleElement()
			.extracting(ILoggingEvent::getFormattedMessage)
			.asString()
			.contains("Task events cannot be published")
			.contains("sink recording sink failed: java.io.IOException: broker down");
		assertThat(log.list).filteredOn((event) -> event.getLevel() == Level.INFO)
			.singleElement()
			.extracting(ILoggingEvent::getFormattedMessage)
			.asString()
			.contains("published again");
	}

	/**
	 * The events of one statement are one row (V27), published and deleted together: a batch
	 * takes rows while fewer events than its size come before them, so a row of more events than
	 * that still goes, whole, and the rows of one event each, written before V27, go with them.
	 */
	@Test
	void rowsOfManyEventsAndRowsOfOneArePublishedInIdOrderAndNeverSplit() throws Exception {
		List<Long> ids = new ArrayList<>();
		ids.add(this.rows.anEvent(1, "report", "SUCCESS"));
		ids.addAll(this.rows.eventsOfOneStatement(4));
		ids.add(this.rows.anEvent(2, "report", "FAILURE"));
		ids.addAll(this.rows.eventsOfOneStatement(7));
		RecordingSink sink = new RecordingSink();
		OutboxRelay relay = relay(postgres.dataSource(), QUICK, sink);

		// Batches of 5: the first row and the row of 4; the next row and the row of 7, whole.
		assertThat(relay.runOnce()).isEqualTo(5);
		assertThat(this.outbox.count()).isEqualTo(8);
		assertThat(relay.runOnce()).isEqualTo(8);
		assertThat(relay.runOnce()).isZero();

		assertThat(sink.events()).extracting(TaskEvent::id).containsExactlyElementsOf(ids).doesNotHaveDuplicates();
		assertThat(sink.events()).extracting(TaskEvent::outcome)
			.containsOnly(TaskStatus.SUCCESS, TaskStatus.FAILURE);
		assertThat(sink.calls()).hasValue(2);
		assertThat(postgres.jdbc().sql("SELECT count(*) FROM autotask_outbox").query(Long.class).single()).isZero();
	}

	@Test
	void aFailedAttemptAtARowOfManyEventsKeepsThemAllForTheNext() throws Exception {
		List<Long> ids = this.rows.eventsOfOneStatement(3);
		RecordingSink sink = new RecordingSink().failingFirst(1);
		OutboxRelay relay = relay(postgres.dataSource(), QUICK, sink);

		assertThatExceptionOfType(SinkFailedException.class).isThrownBy(relay::runOnce);
		assertThat(this.outbox.count()).isEqualTo(3);
		assertThat(relay.runOnce()).isEqualTo(3);

		assertThat(sink.events()).extracting(TaskEvent::id).containsExactlyElementsOf(ids);
		assertThat(this.outbox.count()).isZero();
	}

	@Test
	void relayOutlivesAnErrorAndPublishesOnceTheHeapIsFreeAgain() {
		List<Long> ids = events(3);
		RecordingSink sink = new RecordingSink();
		AtomicInteger calls = new AtomicInteger();
		// As when the heap is full while a batch is published: an Error, not an exception.
		TaskEventSink fullHeap = (events) -> {
			if (calls.incrementAndGet() == 1) {
				throw new OutOfMemoryError("Java heap space (test)");
			}
			sink.publish(events);
		};

		start(relay(postgres.dataSource(), QUICK, fullHeap));

		await().atMost(Duration.ofSeconds(10)).until(() -> this.outbox.count() == 0);
		assertThat(sink.events()).extracting(TaskEvent::id).containsExactlyElementsOf(ids);
		assertThat(calls).hasValue(2);
	}

	@Test
	void failedAttemptIsCountedAndTheBatchStays() throws Exception {
		long id = this.rows.anEvent(1, "report", "FAILURE");
		OutboxRelay relay = relay(postgres.dataSource(), QUICK, (events) -> {
			throw new IOException("broker down");
		});

		assertThatExceptionOfType(SinkFailedException.class).isThrownBy(relay::runOnce)
			.withMessageContaining("broker down");
		assertThatExceptionOfType(SinkFailedException.class).isThrownBy(relay::runOnce);

		assertThat(this.outbox.count()).isOne();
		assertThat(postgres.jdbc()
			.sql("SELECT attempts FROM autotask_outbox WHERE id = ?")
			.param(id)
			.query(Integer.class)
			.single()).isEqualTo(2);
	}

	@Test
	void sinkThatTookABatchIsNotOfferedItAgainWhileALaterSinkFails() throws Exception {
		List<Long> ids = events(3);
		RecordingSink first = new RecordingSink();
		RecordingSink second = new RecordingSink().failingFirst(2);
		OutboxRelay relay = relay(postgres.dataSource(), QUICK, first, second);

		assertThatExceptionOfType(SinkFailedException.class).isThrownBy(relay::runOnce);
		assertThatExceptionOfType(SinkFailedException.class).isThrownBy(relay::runOnce);
		assertThat(relay.runOnce()).isEqualTo(3);

		assertThat(first.events()).extracting(TaskEvent::id).containsExactlyElementsOf(ids);
		assertThat(first.calls()).hasValue(1);
		assertThat(second.events()).extracting(TaskEvent::id).containsExactlyElementsOf(ids);
		assertThat(second.calls()).hasValue(3);
		assertThat(this.outbox.count()).isZero();
	}

	@Test
	void anotherNodeDoesNotOfferABatchToASinkThatTookItOnTheFirstNode() throws Exception {
		List<Long> ids = events(3);
		// Each node has its own first sink (its application's listeners) and shares the broker.
		RecordingSink listenersOfA = new RecordingSink();
		RecordingSink listenersOfB = new RecordingSink();
		RecordingSink broker = new RecordingSink().failingFirst(1);
		OutboxRelay nodeA = relay(postgres.dataSource(), QUICK, listenersOfA, broker);
		OutboxRelay nodeB = relay(postgres.dataSource(), QUICK, listenersOfB, broker);

		assertThatExceptionOfType(SinkFailedException.class).isThrownBy(nodeA::runOnce);
		assertThat(nodeB.runOnce()).isEqualTo(3);

		assertThat(listenersOfA.events()).extracting(TaskEvent::id).containsExactlyElementsOf(ids);
		assertThat(listenersOfB.calls()).hasValue(0);
		assertThat(broker.events()).extracting(TaskEvent::id).containsExactlyElementsOf(ids);
		assertThat(this.outbox.count()).isZero();
	}

	@Test
	void twoRelaysOnTwoNodesPublishEachEventOnce() {
		int count = 1000;
		postgres.jdbc()
			.sql("INSERT INTO autotask_outbox (task_id, name, owner, outcome)"
					+ " SELECT n, 'count', 'test', 'SUCCESS' FROM generate_series(1, ?) AS n")
			.param(count)
			.update();
		Map<Long, AtomicInteger> published = new ConcurrentHashMap<>();
		Map<String, AtomicInteger> byNode = new ConcurrentHashMap<>();
		for (String node : List.of("node-a", "node-b")) {
			HikariDataSource dataSource = postgres.newDataSource(2);
			this.cleanUps.push(dataSource::close);
			start(relay(dataSource, QUICK, (events) -> events.forEach((event) -> {
				published.computeIfAbsent(event.taskId(), (id) -> new AtomicInteger()).incrementAndGet();
				byNode.computeIfAbsent(node, (name) -> new AtomicInteger()).incrementAndGet();
			})));
		}

		await().atMost(Duration.ofSeconds(30)).until(() -> this.outbox.count() == 0);
		this.tearDown();
		assertThat(published).hasSize(count);
		assertThat(published.entrySet()).filteredOn((entry) -> entry.getValue().get() != 1)
			.as("task ids published more than once")
			.isEmpty();
		// How the work splits depends on timing; it is reported, not asserted.
		LoggerFactory.getLogger(OutboxRelayIT.class)
			.info("{} events relayed by two nodes: {}", count, new TreeMap<>(byNode));
	}

	@Test
	void relayDoesNotSpinWhileTheSinkFails() {
		events(1);
		AtomicInteger calls = new AtomicInteger();
		OutboxRelay relay = relay(postgres.dataSource(), RelaySettings.of(Duration.ofMinutes(1)), (events) -> {
			calls.incrementAndGet();
			throw new IOException("connection refused");
		});
		// Tasks keep ending meanwhile: each end notifies the relay.
		ScheduledExecutorService notifications = Executors.newSingleThreadScheduledExecutor();
		this.cleanUps.push(notifications::shutdownNow);
		notifications.scheduleAtFixedRate(relay::wake, 0, 5, TimeUnit.MILLISECONDS);

		start(relay);

		await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() >= 1);
		// Back-off from 100 ms, doubling: about 5 attempts in the next 2 s, however many
		// notifications arrive.
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> calls.get() <= 10);
		assertThat(calls.get()).isBetween(3, 10);
		assertThat(this.outbox.count()).isOne();
	}

	private List<Long> events(int count) {
		return IntStream.rangeClosed(1, count).mapToObj((n) -> this.rows.anEvent(n, "report", "SUCCESS")).toList();
	}

	private OutboxRelay relay(DataSource dataSource, RelaySettings settings, TaskEventSink... sinks) {
		return new OutboxRelay(dataSource, names(), List.of(sinks), this.json, settings);
	}

	private void start(OutboxRelay relay) {
		Thread thread = new Thread(relay, "test-outbox-relay");
		thread.start();
		this.cleanUps.push(() -> {
			relay.stop();
			try {
				thread.join(5000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
	}

	private ListAppender<ILoggingEvent> captureLog() {
		Logger logger = (Logger) LoggerFactory.getLogger(OutboxRelay.class);
		ListAppender<ILoggingEvent> appender = new ListAppender<>();
		appender.start();
		logger.addAppender(appender);
		this.cleanUps.push(() -> logger.detachAppender(appender));
		return appender;
	}

	private static TableNames names() {
		return new TableNames(postgres.schema());
	}

	/**
	 * Keeps what it is given, after failing its first calls if asked to.
	 */
	static final class RecordingSink implements TaskEventSink {

		private final List<TaskEvent> events = new CopyOnWriteArrayList<>();

		private final AtomicInteger calls = new AtomicInteger();

		private int failures;

		RecordingSink failingFirst(int failures) {
			this.failures = failures;
			return this;
		}

		@Override
		public void publish(List<TaskEvent> events) throws IOException {
			if (this.calls.incrementAndGet() <= this.failures) {
				throw new IOException("broker down");
			}
			this.events.addAll(events);
		}

		List<TaskEvent> events() {
			return this.events;
		}

		AtomicInteger calls() {
			return this.calls;
		}

		@Override
		public String toString() {
			return "recording sink";
		}

	}

}
