package dev.autotask.boot.actuate;

import java.time.Duration;

import dev.autotask.TaskFailure;
import dev.autotask.TaskHandle;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.boot.autoconfigure.AutotaskAutoConfiguration;
import dev.autotask.boot.autoconfigure.AutotaskSchemaAutoConfiguration;
import dev.autotask.testsupport.PostgresExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Without a tracer, the application's {@link ObservationRegistry} turns autotask's observations
 * into timers, tagged with the task, its queue and, for executions, the outcome; and nothing is
 * stored as trace context.
 */
@SpringBootTest(classes = TaskObservationMetricsIT.Config.class, properties = { "autotask.poll-interval=1m",
		"spring.application.name=shop" })
@DirtiesContext
class TaskObservationMetricsIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		postgres.springProperties().forEach(registry::add);
	}

	@Autowired
	Reports reports;

	@Autowired
	MeterRegistry meters;

	@Autowired
	JdbcClient jdbc;

	@Test
	void enqueueAndExecutionAreTimedWithTheirOutcome() {
		TaskHandle<String> succeeded = this.reports.rebuild(1);
		this.reports.refuse(2);

		await().atMost(Duration.ofSeconds(10))
			.until(() -> count("reports.rebuild", "SUCCESS") == 1 && count("reports.refuse", "FAILURE") == 1);
		Timer enqueue = this.meters.find("autotask.enqueue").tags("task", "reports.rebuild", "queue", "default").timer();
		assertThat(enqueue).isNotNull();
		assertThat(enqueue.count()).isEqualTo(1);
		assertThat(this.meters.find("autotask.execution").tags("task", "reports.rebuild", "outcome", "FAILURE").timer())
			.isNull();
		String traceContext = this.jdbc
			.sql("SELECT trace_context::text FROM " + postgres.schema() + ".autotask_task WHERE id = ?")
			.param(succeeded.id())
			.query(String.class)
			.optional()
			.orElse(null);
		assertThat(traceContext).isNull();
	}

	@Test
	void attemptPastItsTimeoutIsTimedWithTheWatchdogsOutcome() throws InterruptedException {
		this.reports.hang();

		await().atMost(Duration.ofSeconds(10)).until(() -> count("reports.hang", "FAILURE") == 1);
		assertThat(count("reports.hang", "NONE")).isZero();
	}

	private long count(String task, String outcome) {
		Timer timer = this.meters.find("autotask.execution")
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
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
			TransactionAutoConfiguration.class, AutotaskSchemaAutoConfiguration.class,
			AutotaskAutoConfiguration.class })
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

		@Bean
		JdbcClient jdbcClient(javax.sql.DataSource dataSource) {
			return JdbcClient.create(dataSource);
		}

	}

}
