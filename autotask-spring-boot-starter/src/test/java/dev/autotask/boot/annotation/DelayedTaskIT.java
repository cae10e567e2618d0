package dev.autotask.boot.annotation;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.autotask.Autotask;
import dev.autotask.TaskContext;
import dev.autotask.TaskFailure;
import dev.autotask.TaskHandle;
import dev.autotask.TaskInfo;
import dev.autotask.TaskStatus;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.boot.autoconfigure.AutotaskAutoConfiguration;
import dev.autotask.boot.autoconfigure.AutotaskSchemaAutoConfiguration;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * A {@code @DelayedTask} bean in a Spring Boot application on a real PostgreSQL: call, row,
 * run, handle; transactions; start by name.
 */
@SpringBootTest(classes = DelayedTaskIT.Config.class,
		properties = { "autotask.poll-interval=1m", "autotask.retry-delay=10ms", "autotask.workers=4",
				"spring.application.name=sample-owner" })
class DelayedTaskIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		postgres.springProperties().forEach(registry::add);
	}

	@Autowired
	Reports reports;

	@Autowired
	Autotask autotask;

	@Autowired
	TaskRegistry registry;

	@Autowired
	TransactionTemplate transactions;

	@Autowired
	JdbcClient jdbc;

	@BeforeEach
	void reset() {
		this.reports.calls().clear();
	}

	@Test
	void callReturnsAHandleAtOnceAndTheBodyRunsLaterWithItsResult() {
		TaskHandle<String> handle = this.reports.rebuild(42, new Range(1, 10));

		assertThat(handle.id()).isPositive();
		await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().isReady());
		assertThat(handle.status()).isEqualTo(TaskStatus.SUCCESS);
		assertThat(handle.result()).isEqualTo("rebuilt 10 rows for customer 42");
		assertThat(this.reports.calls()).containsExactly("rebuild 42");
		TaskInfo info = this.autotask.status(handle.id(), "sample-owner").orElseThrow();
		assertThat(info.name()).isEqualTo("reports.rebuild");
		assertThat(info.queue()).isEqualTo("reports");
		// jsonb orders object keys its own way: compare the values.
		assertThat(info.args()).startsWith("[42, {").contains("\"from\": 1").contains("\"to\": 10");
	}

	@Test
	void voidTaskRuns() {
		this.reports.touch("a");

		await().atMost(Duration.ofSeconds(10)).until(() -> this.reports.calls().contains("touch a"));
	}

	@Test
	void taskFailureInTheBodyFailsTheTaskWithItsMessage() {
		TaskHandle<String> handle = this.reports.refuse(7);

		await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().isReady());
		assertThat(handle.status()).isEqualTo(TaskStatus.FAILURE);
		assertThat(handle.error().message()).isEqualTo("customer 7 has no billing address");
		assertThat(this.autotask.status(handle.id(), "sample-owner").orElseThrow().result())
			.isEqualTo("\"customer 7 has no billing address\"");
	}

	@Test
	void exceptionIsRetriedUpToRetries() {
		TaskHandle<String> handle = this.reports.flaky();

		await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().isReady());
		assertThat(handle.status()).isEqualTo(TaskStatus.SUCCESS);
		assertThat(handle.result()).isEqualTo("ok after 3 attempts");
		assertThat(this.autotask.status(handle.id(), "sample-owner").orElseThrow().attempt()).isEqualTo(3);
	}

	@Test
	void taskCallingItselfEnqueuesTheNextRunInsteadOfRecursingInline() {
		TaskHandle<Long> first = this.reports.countdown(2);

		await().atMost(Duration.ofSeconds(10)).until(() -> this.reports.calls().contains("countdown 0"));
		assertThat(this.reports.calls()).containsExactly("countdown 2", "countdown 1", "countdown 0");
		first.refresh();
		Long next = first.result();
		assertThat(next).isNotNull().isNotEqualTo(first.id());
		assertThat(this.autotask.status(next, "sample-owner").orElseThrow().args()).isEqualTo("[1]");
	}

	@Test
	void startsByNameWithTheSameValidation() {
		TaskHandle<Object> handle = this.autotask.send("reports.rebuild", "tenant-1", 5L, new Range(1, 3));

		await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().isReady());
		assertThat(handle.result()).isEqualTo("rebuilt 3 rows for customer 5");
		assertThat(this.autotask.status(handle.id(), "sample-owner")).isEmpty();
		assertThatIllegalArgumentException().isThrownBy(() -> this.autotask.send("reports.nope", "tenant-1"))
			.withMessageContaining("'reports.nope'");
	}

	@Test
	void enqueueJoinsTheCallersTransaction() {
		long before = countTasks();
		this.transactions.executeWithoutResult((status) -> {
			this.reports.touch("rolled back");
			status.setRollbackOnly();
		});
		assertThat(countTasks()).isEqualTo(before);

		this.transactions.executeWithoutResult((status) -> this.reports.touch("committed"));

		await().atMost(Duration.ofSeconds(10)).until(() -> this.reports.calls().contains("touch committed"));
		assertThat(this.reports.calls()).doesNotContain("touch rolled back");
	}

	@Test
	void contextParameterIsGivenAtRunTimeAndNotStored() {
		TaskHandle<String> handle = this.reports.whoAmI("hello", null);

		await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().isReady());
		assertThat(handle.result()).isEqualTo("hello from task " + handle.id() + " (reports.whoAmI), attempt 1");
		assertThat(this.autotask.status(handle.id(), "sample-owner").orElseThrow().args()).isEqualTo("[\"hello\"]");
	}

	@Test
	void noRetryForFailsAtOnce() {
		TaskHandle<String> handle = this.reports.unsupported();

		await().atMost(Duration.ofSeconds(10)).until(() -> handle.refresh().isReady());
		assertThat(handle.status()).isEqualTo(TaskStatus.FAILURE);
		assertThat(this.autotask.status(handle.id(), "sample-owner").orElseThrow().attempt()).isEqualTo(1);
	}

	@Test
	void registersTasksByStableNames() {
		assertThat(this.registry.names()).contains("reports.rebuild", "reports.touch", "reports.refuse",
				"reports.flaky", "reports.countdown");
	}

	private long countTasks() {
		return this.jdbc.sql("SELECT count(*) FROM " + postgres.schema() + ".autotask_task").query(Long.class).single();
	}

	public record Range(int from, int to) {
	}

	public static class Reports {

		private final List<String> calls = new CopyOnWriteArrayList<>();

		private final AtomicInteger flakyCalls = new AtomicInteger();

		private final ObjectProvider<Reports> self;

		Reports(ObjectProvider<Reports> self) {
			this.self = self;
		}

		// A method, not the field: callers hold the proxy, whose own fields are unset.
		public List<String> calls() {
			return this.calls;
		}

		@DelayedTask(queue = "reports", retries = 5, ttl = "1h")
		public TaskHandle<String> rebuild(long customerId, Range range) {
			this.calls.add("rebuild " + customerId);
			return TaskHandle.completed("rebuilt " + (range.to() - range.from() + 1) + " rows for customer " + customerId);
		}

		@DelayedTask
		public void touch(String what) {
			this.calls.add("touch " + what);
		}

		@DelayedTask(retries = 3)
		public TaskHandle<String> refuse(long customerId) {
			throw new TaskFailure("customer " + customerId + " has no billing address");
		}

		@DelayedTask(retries = 3)
		public TaskHandle<String> flaky() {
			int call = this.flakyCalls.incrementAndGet();
			if (call < 3) {
				throw new IllegalStateException("attempt " + call + " failed");
			}
			return TaskHandle.completed("ok after " + call + " attempts");
		}

		@DelayedTask
		public TaskHandle<String> whoAmI(String greeting, TaskContext context) {
			return TaskHandle.completed(greeting + " from task " + context.id() + " (" + context.name() + "), attempt "
					+ context.attempt());
		}

		@DelayedTask(retries = 5, noRetryFor = UnsupportedOperationException.class)
		public TaskHandle<String> unsupported() {
			throw new UnsupportedOperationException("not here");
		}

		@DelayedTask
		public TaskHandle<Long> countdown(int n) {
			this.calls.add("countdown " + n);
			// Through the proxy, as any other caller: this enqueues the next step.
			return TaskHandle.completed((n > 0) ? this.self.getObject().countdown(n - 1).id() : null);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
			TransactionAutoConfiguration.class, AutotaskSchemaAutoConfiguration.class,
			AutotaskAutoConfiguration.class })
	static class Config {

		@Bean
		Reports reports(ObjectProvider<Reports> self) {
			return new Reports(self);
		}

		@Bean
		JdbcClient jdbcClient(javax.sql.DataSource dataSource) {
			return JdbcClient.create(dataSource);
		}

	}

}
