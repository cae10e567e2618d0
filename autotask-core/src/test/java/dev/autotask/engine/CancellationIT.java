package dev.autotask.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import com.zaxxer.hikari.HikariDataSource;
import dev.autotask.TaskContext;
import dev.autotask.TaskEvent;
import dev.autotask.TaskHandle;
import dev.autotask.TaskInfo;
import dev.autotask.TaskStatus;
import dev.autotask.internal.engine.TaskClient;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A cancel stops a long continuation chain and a long iterative walk mid-way, on one node or
 * two: at most the execution running when it arrives finishes, nothing starts after it, and
 * the task ends {@code CANCELLED} within one poll interval.
 */
class CancellationIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final String OWNER = "app";

	private static final int LINKS = 1000;

	private static final int CHUNKS = 1000;

	private static final Duration POLL = Duration.ofSeconds(1);

	private final AtomicInteger linksRun = new AtomicInteger();

	private final AtomicInteger chunksRun = new AtomicInteger();

	private final AtomicInteger flakyRuns = new AtomicInteger();

	private final CountDownLatch failNow = new CountDownLatch(1);

	private final List<TaskEvent> events = new CopyOnWriteArrayList<>();

	private final List<Engine> engines = new ArrayList<>();

	private final List<HikariDataSource> dataSources = new ArrayList<>();

	private final TaskRegistry registry = new TaskRegistry();

	private EngineSettings settings;

	private TaskClient client;

	@BeforeEach
	void setUp() {
		this.registry.register(TaskDefinition.of("chain", (args) -> {
			int n = (int) args[0];
			this.linksRun.incrementAndGet();
			if (n < LINKS) {
				throw TaskContext.current().orElseThrow().repeat(n + 1);
			}
			return n;
		}, new TaskParameter("n", int.class)));
		this.registry.register(TaskDefinition.of("walk", (args) -> {
			TaskContext.current().orElseThrow().iterate(Integer.class, 0, (chunk) -> {
				this.chunksRun.incrementAndGet();
				return (chunk + 1 < CHUNKS) ? chunk + 1 : null;
			});
			return null;
		}));
		this.registry.register(TaskDefinition.of("loop", (args) -> {
			TaskContext context = TaskContext.current().orElseThrow();
			int rounds = 0;
			while (!context.isCancellationRequested()) {
				context.reportProgress(++rounds, -1);
			}
			return rounds;
		}));
		this.registry.register(TaskDefinition.of("flaky", (args) -> {
			this.flakyRuns.incrementAndGet();
			// Fails once the cancel was requested, without ever asking whether it was.
			this.failNow.await();
			throw new IllegalStateException("the partner is down");
		}).withRetries(3));
		this.settings = EngineSettings.builder()
			.schema(postgres.schema())
			.pollInterval(POLL)
			.events(true)
			.build();
		this.client = new TaskClient(postgres.dataSource(), this.registry, new TaskJson(), this.settings);
	}

	@AfterEach
	void tearDown() {
		this.failNow.countDown();
		this.engines.forEach(Engine::stop);
		this.dataSources.forEach(HikariDataSource::close);
	}

	@Test
	void cancelOfTheFirstLinkStopsALongChainMidWay() {
		startEngines("node-a");
		cancelsAChainMidWay();
	}

	@Test
	void cancelStopsALongIterativeWalkBetweenChunks() {
		startEngines("node-a");
		cancelsAWalkMidWay();
	}

	@Test
	void cancelStopsChainsAndWalksRunningAcrossTwoNodes() {
		startEngines("node-a", "node-b");
		cancelsAChainMidWay();
		cancelsAWalkMidWay();
	}

	@Test
	void runningTaskThatStopsOnTheCancelRequestEndsCancelledWithItsProgressAndEvent() {
		startEngines("node-a");
		TaskHandle<Object> handle = this.client.send("loop", OWNER);
		await().atMost(Duration.ofSeconds(10)).until(() -> progressOf(handle.id()) != null);

		// Asked to stop, it may end before cancel reads its status back: either answer is true.
		assertThat(this.client.cancel(handle.id(), OWNER))
			.hasValueSatisfying((status) -> assertThat(status).isIn(TaskStatus.RUNNING, TaskStatus.CANCELLED));

		await().atMost(POLL).until(() -> handle.refresh().isReady());
		TaskInfo info = this.client.status(handle.id(), OWNER).orElseThrow();
		assertThat(info.status()).isEqualTo(TaskStatus.CANCELLED);
		assertThat(info.result()).as("what it returned when it stopped").matches("\\d+");
		assertThat(info.progress()).contains("\"done\"");
		await().atMost(Duration.ofSeconds(10)).until(() -> eventOf(handle.id()) != null);
		assertThat(eventOf(handle.id()).outcome()).isEqualTo(TaskStatus.CANCELLED);
		assertThat(eventOf(handle.id()).result()).isEqualTo(info.result());
	}

	@Test
	void runningTaskThatFailsAfterTheCancelRequestIsCancelledNotRetried() {
		startEngines("node-a");
		TaskHandle<Object> handle = this.client.send("flaky", OWNER);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.flakyRuns.get() == 1);

		assertThat(this.client.cancel(handle.id(), OWNER)).contains(TaskStatus.RUNNING);
		this.failNow.countDown();

		await().atMost(POLL).until(() -> handle.refresh().isReady());
		TaskInfo info = this.client.status(handle.id(), OWNER).orElseThrow();
		assertThat(info.status()).isEqualTo(TaskStatus.CANCELLED);
		assertThat(info.error().message()).isEqualTo("the partner is down");
		assertThat(stopsStarting(this.flakyRuns::get)).as("runs").isOne();
		await().atMost(Duration.ofSeconds(10)).until(() -> eventOf(handle.id()) != null);
		assertThat(eventOf(handle.id()).outcome()).isEqualTo(TaskStatus.CANCELLED);
	}

	/**
	 * A node that dies leaves its running tasks to the rescue, which hands them back to
	 * {@code PENDING}; one that was asked to stop must not run again from there.
	 */
	@Test
	void taskHandedBackAfterACancelRequestEndsCancelledWithoutRunning() {
		long rescued = postgres.jdbc()
			.sql("""
					INSERT INTO autotask_task (name, owner, args, max_attempts, ttl, attempt, rescues, cancel_requested)
					VALUES ('chain', ?, '[1]', 2, interval '1 day', 1, 1, true)
					RETURNING id""")
			.param(OWNER)
			.query(Long.class)
			.single();

		startEngines("node-a");

		await().atMost(POLL.multipliedBy(2))
			.until(() -> this.client.status(rescued, OWNER).orElseThrow().status() == TaskStatus.CANCELLED);
		assertThat(this.linksRun).hasValue(0);
		await().atMost(Duration.ofSeconds(10)).until(() -> eventOf(rescued) != null);
	}

	private void cancelsAChainMidWay() {
		TaskHandle<Object> first = this.client.send("chain", OWNER, 1);
		await().atMost(Duration.ofSeconds(30)).until(() -> this.linksRun.get() >= 50);

		assertThat(this.client.cancel(first.id(), OWNER)).contains(TaskStatus.SUCCESS);
		int runAtCancel = this.linksRun.get();

		await().atMost(POLL).until(() -> active(first.id()) == 0);
		int run = stopsStarting(this.linksRun::get);
		assertThat(run).as("links run after the cancel: at most the one running")
			.isBetween(runAtCancel, runAtCancel + 1);
		List<TaskInfo> chain = this.client.chain(first.id(), OWNER);
		assertThat(chain.size()).isLessThan(LINKS);
		TaskInfo last = chain.get(chain.size() - 1);
		assertThat(last.status()).isEqualTo(TaskStatus.CANCELLED);
		assertThat(chain.subList(0, chain.size() - 1)).extracting(TaskInfo::status).containsOnly(TaskStatus.SUCCESS);
		// The last link either ran (and its continuation was refused) or never started.
		assertThat(chain.size()).isBetween(run, run + 1);
		await().atMost(Duration.ofSeconds(10)).until(() -> eventOf(last.id()) != null);
		assertThat(eventOf(last.id()).outcome()).isEqualTo(TaskStatus.CANCELLED);
	}

	private void cancelsAWalkMidWay() {
		int before = this.chunksRun.get();
		TaskHandle<Object> walk = this.client.send("walk", OWNER);
		await().atMost(Duration.ofSeconds(30)).until(() -> this.chunksRun.get() - before >= 50);

		// Running a chunk, or between two (then it ends at once).
		assertThat(this.client.cancel(walk.id(), OWNER).orElseThrow()).isIn(TaskStatus.RUNNING, TaskStatus.CANCELLED);
		int runAtCancel = this.chunksRun.get() - before;

		await().atMost(POLL).until(() -> walk.refresh().isReady());
		int run = stopsStarting(() -> this.chunksRun.get() - before);
		assertThat(run).as("chunks run after the cancel: at most the one running")
			.isBetween(runAtCancel, runAtCancel + 1);
		assertThat(run).isLessThan(CHUNKS);
		TaskInfo info = this.client.status(walk.id(), OWNER).orElseThrow();
		assertThat(info.status()).isEqualTo(TaskStatus.CANCELLED);
		assertThat(info.progress()).as("every chunk run committed").contains("\"done\": " + run + ",");
		await().atMost(Duration.ofSeconds(10)).until(() -> eventOf(walk.id()) != null);
		assertThat(eventOf(walk.id()).outcome()).isEqualTo(TaskStatus.CANCELLED);
	}

	/**
	 * Nothing starts any more for a whole poll interval, when a missed notification would be
	 * made up for.
	 * @return the final count
	 */
	private int stopsStarting(IntSupplier count) {
		int stopped = count.getAsInt();
		await().during(POLL.plusMillis(200)).atMost(POLL.multipliedBy(3)).until(() -> count.getAsInt() == stopped);
		return stopped;
	}

	private long active(long firstId) {
		return this.client.chain(firstId, OWNER).stream().filter((link) -> !link.status().isCompleted()).count();
	}

	private String progressOf(long id) {
		return this.client.status(id, OWNER).orElseThrow().progress();
	}

	private TaskEvent eventOf(long taskId) {
		return this.events.stream().filter((event) -> event.taskId() == taskId).findFirst().orElse(null);
	}

	private void startEngines(String... nodes) {
		for (String node : nodes) {
			// Workers, plus the notifier's connection, the dispatcher's, the pruner's and the relay's.
			HikariDataSource dataSource = postgres.newDataSource(this.settings.workers() + 4);
			this.dataSources.add(dataSource);
			Engine engine = Engine.builder(dataSource, this.registry)
				.settings(this.settings.toBuilder().nodeId(node).build())
				.sinks(List.of(this.events::addAll))
				.build();
			this.engines.add(engine);
			engine.start();
		}
	}

}
