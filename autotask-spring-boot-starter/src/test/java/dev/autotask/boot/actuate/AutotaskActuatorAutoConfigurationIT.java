package dev.autotask.boot.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import dev.autotask.Autotask;
import dev.autotask.SendOptions;
import dev.autotask.TaskFailure;
import dev.autotask.TaskStatus;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.annotation.PeriodicTask;
import dev.autotask.boot.autoconfigure.AutotaskAutoConfiguration;
import dev.autotask.boot.autoconfigure.AutotaskSchemaAutoConfiguration;
import dev.autotask.boot.autoconfigure.EngineLifecycle;
import dev.autotask.boot.testsupport.AutotaskContextRunners;
import dev.autotask.engine.EngineSettings;
import dev.autotask.testsupport.PostgresExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static dev.autotask.boot.testsupport.TaskWaits.awaitEnd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Meters, health and the {@code autotask} endpoint in an application on a real PostgreSQL.
 */
class AutotaskActuatorAutoConfigurationIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	private final ApplicationContextRunner runner = AutotaskContextRunners.application(postgres)
		.withConfiguration(AutoConfigurations.of(AutotaskActuatorAutoConfiguration.class))
		.withPropertyValues("autotask.poll-interval=1m", "autotask.retry-delay=10ms", "autotask.node-id=node-a");

	@BeforeEach
	void emptyTheQueue() {
		if (tableExists()) {
			postgres.jdbc().sql("DELETE FROM " + postgres.schema() + ".autotask_task").update();
		}
	}

	@Test
	void countsAndTimesTasksThatSucceedFailAndRetry() {
		this.runner.withBean(SimpleMeterRegistry.class).withBean("jobs", Jobs.class).run((context) -> {
			Autotask autotask = context.getBean(Autotask.class);
			MeterRegistry meters = context.getBean(MeterRegistry.class);

			awaitEnd(autotask.send("jobs.ok", "me"));
			awaitEnd(autotask.send("jobs.refused", "me"));
			awaitEnd(autotask.send("jobs.flaky", "me"));

			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(count(meters, "autotask.tasks.failed", "jobs.flaky")).isEqualTo(1));
			assertThat(count(meters, "autotask.tasks.enqueued", "jobs.ok")).isEqualTo(1);
			assertThat(count(meters, "autotask.tasks.started", "jobs.ok")).isEqualTo(1);
			assertThat(count(meters, "autotask.tasks.succeeded", "jobs.ok")).isEqualTo(1);
			assertThat(count(meters, "autotask.tasks.failed", "jobs.refused")).isEqualTo(1);
			assertThat(count(meters, "autotask.tasks.started", "jobs.flaky")).isEqualTo(2);
			assertThat(count(meters, "autotask.tasks.retried", "jobs.flaky")).isEqualTo(1);
			Timer run = meters.get("autotask.tasks.run")
				.tags("task", "jobs.ok", "queue", "reports", "outcome", "SUCCESS")
				.timer();
			assertThat(run.count()).isEqualTo(1);
			assertThat(run.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(20);
			assertThat(meters.get("autotask.tasks.run").tags("task", "jobs.flaky", "outcome", "RETRY").timer().count())
				.isEqualTo(1);
			assertThat(meters.get("autotask.tasks.lag").tags("task", "jobs.flaky", "queue", "default").timer().count())
				.isEqualTo(2);
		});
	}

	@Test
	void queueDepthGaugesShowPendingTasksOfEveryQueue() {
		this.runner.withBean(SimpleMeterRegistry.class).withBean("jobs", Jobs.class).run((context) -> {
			Autotask autotask = context.getBean(Autotask.class);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			SendOptions later = SendOptions.owner("me").delay(Duration.ofHours(1));
			autotask.send("jobs.ok", later);
			autotask.send("jobs.ok", later);
			autotask.send("jobs.flaky", later);

			// The first read queries the counts, and finds the reports queue.
			assertThat(depth(meters, "default", TaskStatus.PENDING)).isEqualTo(1);
			assertThat(depth(meters, "reports", TaskStatus.PENDING)).isEqualTo(2);
			assertThat(depth(meters, "reports", TaskStatus.RUNNING)).isZero();
			// Read again within the cache's lifetime, the gauges do not query again.
			autotask.send("jobs.ok", later);
			assertThat(depth(meters, "reports", TaskStatus.PENDING)).isEqualTo(2);
		});
	}

	@Test
	void oldestPendingGaugeShowsHowLongAQueuesOldestDueTaskHasWaited() {
		this.runner.withBean(SimpleMeterRegistry.class).withBean("jobs", Jobs.class).run((context) -> {
			Autotask autotask = context.getBean(Autotask.class);
			assertThat(autotask.pause("reports")).isTrue();
			long id = autotask.send("jobs.ok", SendOptions.owner("me")).id();
			autotask.send("jobs.refused", SendOptions.owner("me").delay(Duration.ofHours(1)));
			postgres.jdbc()
				.sql("UPDATE " + postgres.schema() + ".autotask_task SET run_at = now() - interval '90 seconds' WHERE id = ?")
				.param(id)
				.update();

			MeterRegistry meters = context.getBean(MeterRegistry.class);
			// A queue none of whose tasks is due has none waiting; the first read finds the reports queue.
			assertThat(meters.get("autotask.queue.oldest.pending").tag("queue", "default").gauge().value()).isZero();
			assertThat(meters.get("autotask.queue.oldest.pending").tag("queue", "reports").gauge().value())
				.isBetween(90.0, 150.0);
			assertThat(autotask.queues("me")).filteredOn((queue) -> queue.name().equals("reports"))
				.singleElement()
				.satisfies((queue) -> assertThat(queue.oldestPendingAge()).isGreaterThanOrEqualTo(Duration.ofSeconds(90)));
			assertThat(autotask.resume("reports")).isTrue();
		});
	}

	@Test
	void healthIsUpWithALeaderAndThisNodeAlive() {
		this.runner.run((context) -> {
			AutotaskHealthIndicator health = context.getBean(AutotaskHealthIndicator.class);
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(health.health(true).getStatus()).isEqualTo(Status.UP));
			assertThat(health.health(true).getDetails()).containsEntry("node", "node-a")
				.containsEntry("engine", "running")
				.containsEntry("leader", "node-a")
				.containsEntry("nodesAlive", 1);
		});
	}

	@Test
	void healthStaysUpWhileTheClusterElectsALeaderAndIsDownOnceThatTakesTooLong() {
		// A long lease: the node tries to be elected again only every 20 s, after the checks.
		this.runner.withPropertyValues("autotask.lease=1m").run((context) -> {
			AutotaskHealthIndicator bean = context.getBean(AutotaskHealthIndicator.class);
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(bean.health(true).getDetails()).containsEntry("leader", "node-a"));
			AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
			EngineSettings settings = context.getBean(EngineSettings.class);
			AutotaskHealthIndicator health = new AutotaskHealthIndicator(context.getBean(Autotask.class), "node-a",
					context.getBean(EngineLifecycle.class).engine(), settings.lease(), now::get);
			assertThat(health.health(true).getStatus()).isEqualTo(Status.UP);

			// The leader's lease lapses, as when it was killed.
			postgres.jdbc()
				.sql("UPDATE " + settings.schema() + ".autotask_leader SET expires_at = now() - interval '1 second'")
				.update();
			now.set(now.get().plus(Duration.ofSeconds(90)));
			assertThat(health.health(true)).satisfies((electing) -> {
				assertThat(electing.getStatus()).isEqualTo(Status.UP);
				assertThat(electing.getDetails()).containsEntry("leader", "electing");
			});

			now.set(now.get().plus(Duration.ofSeconds(31)));
			assertThat(health.health(true)).satisfies((leaderless) -> {
				assertThat(leaderless.getStatus()).isEqualTo(Status.DOWN);
				assertThat(leaderless.getDetails()).containsEntry("leader", "none");
			});
		});
	}

	@Test
	void healthIsDownOnceTheEngineStops() {
		this.runner.run((context) -> {
			context.getBean(EngineLifecycle.class).stop();
			Health health = context.getBean(AutotaskHealthIndicator.class).health(true);
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			// It resigned the lead: the cluster is electing another leader, but this node is down.
			assertThat(health.getDetails()).containsEntry("engine", "stopped").containsEntry("leader", "electing");
		});
	}

	@Test
	void healthOfADisabledEngineIsTheDatabase() {
		this.runner.withPropertyValues("autotask.enabled=false").run((context) -> {
			Health health = context.getBean(AutotaskHealthIndicator.class).health(true);
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("engine", "disabled");
		});
	}

	@Test
	void healthIsDownWhenTheDatabaseDoesNotAnswer() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					AutotaskSchemaAutoConfiguration.class, AutotaskAutoConfiguration.class,
					AutotaskActuatorAutoConfiguration.class))
			// Nothing listens on port 1; the pool connects only when asked.
			.withPropertyValues("spring.datasource.url=jdbc:postgresql://127.0.0.1:1/none",
					"spring.datasource.hikari.connection-timeout=250", "autotask.flyway.enabled=false",
					"autotask.enabled=false")
			.run((context) -> {
				Health health = context.getBean(AutotaskHealthIndicator.class).health(true);
				assertThat(health.getStatus()).isEqualTo(Status.DOWN);
				assertThat(health.getDetails()).containsKey("error");
			});
	}

	@Test
	void endpointShowsQueuesNodesLeaderAndSchedules() {
		this.runner.withPropertyValues("management.endpoints.web.exposure.include=autotask")
			.withBean("jobs", Jobs.class)
			.withBean("ticks", Ticks.class)
			.run((context) -> {
				context.getBean(Autotask.class).send("jobs.ok", SendOptions.owner("me").delay(Duration.ofHours(1)));
				AutotaskEndpoint endpoint = context.getBean(AutotaskEndpoint.class);
				await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.autotask().leader() != null);
				AutotaskEndpoint.AutotaskDescriptor descriptor = endpoint.autotask();
				assertThat(descriptor.leader()).isEqualTo("node-a");
				assertThat(descriptor.nodes()).singleElement().satisfies((node) -> assertThat(node.id()).isEqualTo("node-a"));
				assertThat(descriptor.queues()).anySatisfy((queue) -> {
					assertThat(queue.name()).isEqualTo("reports");
					assertThat(queue.counts()).isEqualTo(Map.of(TaskStatus.PENDING, 1L));
					assertThat(queue.paused()).isFalse();
				});
				assertThat(descriptor.schedules()).singleElement()
					.satisfies((schedule) -> assertThat(schedule.task()).isEqualTo("ticks.tick"));
			});
	}

	@Test
	void endpointIsLeftOutUnlessExposed() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(AutotaskEndpoint.class));
	}

	@Test
	void metricsUseTheRegistryOfBootsMetricsAutoConfiguration() {
		this.runner
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
			.withBean("jobs", Jobs.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(AutotaskMetrics.class);
				context.getBean(Autotask.class).send("jobs.ok", SendOptions.owner("me").delay(Duration.ofHours(1)));
				assertThat(context.getBean(MeterRegistry.class).get("autotask.tasks.enqueued").counter().count())
					.isEqualTo(1);
			});
	}

	@Test
	void metricsBackOffWithoutAMeterRegistry() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(AutotaskMetrics.class)
			.hasSingleBean(AutotaskHealthIndicator.class));
	}

	@Test
	void healthIndicatorCanBeDisabled() {
		this.runner.withPropertyValues("management.health.autotask.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(AutotaskHealthIndicator.class));
	}

	@Test
	void everythingBacksOffWithoutAutotask() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(AutotaskActuatorAutoConfiguration.class))
			.withBean(SimpleMeterRegistry.class)
			.run((context) -> assertThat(context).doesNotHaveBean(AutotaskMetrics.class)
				.doesNotHaveBean(AutotaskHealthIndicator.class));
	}

	private static double count(MeterRegistry meters, String name, String task) {
		return meters.get(name).tag("task", task).counter().count();
	}

	private static double depth(MeterRegistry meters, String queue, TaskStatus status) {
		return meters.get("autotask.queue.depth").tags("queue", queue, "status", status.name()).gauge().value();
	}

	private static boolean tableExists() {
		return postgres.jdbc()
			.sql("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = 'autotask_task'")
			.param(postgres.schema())
			.query(Long.class)
			.single() == 1;
	}

	public static class Jobs {

		@DelayedTask(queue = "reports")
		public void ok() throws InterruptedException {
			Thread.sleep(20);
		}

		@DelayedTask
		public void refused() {
			throw new TaskFailure("no");
		}

		@DelayedTask(retries = 1)
		public void flaky() {
			throw new IllegalStateException("down");
		}

	}

	public static class Ticks {

		@PeriodicTask(every = "1h")
		public void tick() {
		}

	}

}
