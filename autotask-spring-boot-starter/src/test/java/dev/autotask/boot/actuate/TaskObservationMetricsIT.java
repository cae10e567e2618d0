package dev.autotask.boot.actuate;

import java.time.Duration;

import dev.autotask.TaskFailure;
import dev.autotask.TaskHandle;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.boot.testsupport.AutotaskContextRunners;
import dev.autotask.testsupport.PostgresExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Without a tracer, the application's {@link ObservationRegistry} turns autotask's observations
 * into timers, tagged with the task, its queue and, for executions, the outcome; and nothing is
 * stored as trace context.
 */
class TaskObservationMetricsIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	private final ApplicationContextRunner runner = AutotaskContextRunners.application(postgres)
		.withPropertyValues("autotask.poll-interval=1m", "spring.application.name=shop")
		.withUserConfiguration(Config.class);

	@Test
	void enqueueAndExecutionAreTimedWithTheirOutcome() {
		this.runner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			TaskHandle<String> succeeded = reports.rebuild(1);
			reports.refuse(2);

			await().atMost(Duration.ofSeconds(10))
				.until(() -> count(meters, "reports.rebuild", "SUCCESS") == 1
						&& count(meters, "reports.refuse", "FAILURE") == 1);
			Timer enqueue = meters.find("autotask.enqueue").tags("task", "reports.rebuild", "queue", "default").timer();
			assertThat(enqueue).isNotNull();
			assertThat(enqueue.count()).isEqualTo(1);
			assertThat(meters.find("autotask.execution").tags("task", "reports.rebuild", "outcome", "FAILURE").timer())
				.isNull();
			String traceContext = postgres.jdbc()
				.sql("SELECT trace_context::text FROM " + postgres.schema() + ".autotask_task WHERE id = ?")
				.param(succeeded.id())
				.query(String.class)
				.optional()
				.orElse(null);
			assertThat(traceContext).isNull();
		});
	}

	@Test
	void attemptPastItsTimeoutIsTimedWithTheWatchdogsOutcome() {
		this.runner.run((context) -> {
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			context.getBean(Reports.class).hang();

			await().atMost(Duration.ofSeconds(10)).until(() -> count(meters, "reports.hang", "FAILURE") == 1);
			assertThat(count(meters, "reports.hang", "NONE")).isZero();
		});
	}

	private static long count(MeterRegistry meters, String task, String outcome) {
		Timer timer = meters.find("autotask.execution")
			.tags("task", task, "queue", "default", "outcome", outcome)
			.timer();
		return (timer != null) ? timer.count() : 0;
	}

	public static class Reports {

		@DelayedTask
		public TaskHandle<String> rebuild(long customerId) {
			return TaskHandle.completed("rebuilt customer " + customerId);
		}

		@DelayedTask(timeout = "200ms", retries = 0)
		public void hang() throws InterruptedException {
			// Waits to be interrupted by the watchdog.
			new java.util.concurrent.CountDownLatch(1).await();
		}

		@DelayedTask
		public TaskHandle<String> refuse(long customerId) {
			throw new TaskFailure("customer " + customerId + " has no billing address");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		SimpleMeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

		@Bean
		ObservationRegistry observationRegistry(MeterRegistry meters) {
			ObservationRegistry registry = ObservationRegistry.create();
			registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
			return registry;
		}

		@Bean
		Reports reports() {
			return new Reports();
		}

	}

}
