package dev.autotask.engine;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.autotask.QueuePoint;
import dev.autotask.SendOptions;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.EngineExtension;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskCounts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * {@code Autotask.queueStats} over a running engine: the tasks it ends are counted per owner and
 * queue, for good only (a retry counts once its task ends), reach the database with the next
 * heartbeat, and the leader samples the queues' depth.
 */
class QueueStatsIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private final TaskRegistry registry = new TaskRegistry();

	private final AtomicInteger flakyCalls = new AtomicInteger();

	@RegisterExtension
	final EngineExtension node = new EngineExtension(postgres, this.registry, (settings) -> settings.workers(2)
		.workerMonitorInterval(Duration.ofMillis(100))
		.retryDelay(Duration.ZERO)
		.pollInterval(Duration.ofMillis(200)));

	@BeforeEach
	void setUp() {
		this.registry.register(TaskDefinition.of("mail.send", (args) -> "sent").withQueue("mail"));
		this.registry.register(TaskDefinition.of("mail.bounce", (args) -> {
			throw new IllegalStateException("bounced");
		}).withQueue("mail").withRetries(0));
		// Fails its first attempt, then succeeds: one success, no failure.
		this.registry.register(TaskDefinition.of("mail.flaky", (args) -> {
			if (this.flakyCalls.incrementAndGet() == 1) {
				throw new IllegalStateException("once");
			}
			return "sent";
		}).withQueue("mail").withRetries(1));
	}

	@Test
	void countsEachOwnersTasksThatEndedForGood() {
		for (int i = 0; i < 3; i++) {
			this.node.client().send("mail.send", "a");
		}
		this.node.client().send("mail.bounce", "a");
		this.node.client().send("mail.flaky", "a");
		this.node.client().send("mail.send", "b");
		this.node.engine().start();
		TaskCounts counts = new TaskCounts(postgres);
		await().atMost(Duration.ofSeconds(10)).until(() -> counts.withStatus("SUCCESS", "FAILURE") == 6);

		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(totals("a")).containsExactly(4L, 1L));
		assertThat(totals("b")).containsExactly(1L, 0L);
		assertThat(totals("c")).as("an owner without tasks").containsExactly(0L, 0L);
	}

	@Test
	void stoppingNodeFlushesWhatItCountedSinceItsLastHeartbeat() {
		// No flush after the first, at start: the stop's adds what ended since, once.
		Engine engine = this.node.rebuild((settings) -> settings.workerMonitorInterval(Duration.ofMinutes(5)));
		this.node.client().send("mail.send", "a");
		this.node.client().send("mail.bounce", "a");
		engine.start();
		TaskCounts counts = new TaskCounts(postgres);
		await().atMost(Duration.ofSeconds(10)).until(() -> counts.withStatus("SUCCESS", "FAILURE") == 2);

		engine.stop();

		assertThat(totals("a")).containsExactly(1L, 1L);
	}

	@Test
	void leaderSamplesTheDepthOfEachOwnersQueue() {
		this.node.client().pause("mail");
		this.node.client().sendAll("mail.send", SendOptions.owner("a"), List.of(new Object[0], new Object[0]));
		this.node.engine().start();

		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.node.client()
				.queueStats("mail", Duration.ofMinutes(2), "a")
				.stream()
				.anyMatch((point) -> Long.valueOf(2).equals(point.depth())));
		assertThat(this.node.client().queueStats("mail", Duration.ofMinutes(2), "b"))
			.allMatch((point) -> point.depth() == null);
	}

	@Test
	void windowPicksTheBucketAndIsChecked() {
		assertThat(this.node.client().queueStats("mail", Duration.ofHours(1), "a")).hasSize(60)
			.allMatch((point) -> point.length().equals(Duration.ofMinutes(1)) && point.succeeded() == 0);
		assertThat(this.node.client().queueStats("mail", Duration.ofHours(6), "a")).hasSize(72);
		assertThat(this.node.client().queueStats("mail", Duration.ofDays(1), "a")).hasSize(96)
			.allMatch((point) -> point.length().equals(Duration.ofMinutes(15)));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.node.client().queueStats("mail", Duration.ofHours(25), "a"))
			.withMessageContaining("PT1M (a minute) to P1D (a day), got PT25H");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.node.client().queueStats("mail", Duration.ofSeconds(59), "a"));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.node.client().queueStats(" ", Duration.ofHours(1), "a"))
			.withMessageContaining("Queue name");
	}

	private List<Long> totals(String owner) {
		List<QueuePoint> points = this.node.client().queueStats("mail", Duration.ofMinutes(5), owner);
		return List.of(points.stream().mapToLong(QueuePoint::succeeded).sum(),
				points.stream().mapToLong(QueuePoint::failed).sum());
	}

}
