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
import dev.autotask.boot.testsupport.AutotaskContextRunners;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

import static dev.autotask.boot.testsupport.TaskWaits.awaitEnd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * A {@code @DelayedTask} bean in a Spring Boot application on a real PostgreSQL: call, row,
 * run, handle; transactions; start by name.
 */
class DelayedTaskIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	private final ApplicationContextRunner runner = AutotaskContextRunners.application(postgres)
		.withPropertyValues("autotask.poll-interval=1m", "autotask.retry-delay=10ms", "autotask.workers=4",
				"spring.application.name=sample-owner")
		.withUserConfiguration(Config.class);

	@Test
	void callReturnsAHandleAtOnceAndTheBodyRunsLaterWithItsResult() {
		this.runner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			TaskHandle<String> handle = reports.rebuild(42, new Range(1, 10));

			assertThat(handle.id()).isPositive();
			awaitEnd(handle);
			assertThat(handle.status()).isEqualTo(TaskStatus.SUCCESS);
			assertThat(handle.result()).isEqualTo("rebuilt 10 rows for customer 42");
			assertThat(reports.calls()).containsExactly("rebuild 42");
			TaskInfo info = info(context, handle.id());
			assertThat(info.name()).isEqualTo("reports.rebuild");
			assertThat(info.queue()).isEqualTo("reports");
			// jsonb orders object keys its own way: compare the values.
			assertThat(info.args()).startsWith("[42, {").contains("\"from\": 1").contains("\"to\": 10");
		});
	}

	@Test
	void voidTaskRuns() {
		this.runner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			reports.touch("a");

			await().atMost(Duration.ofSeconds(10)).until(() -> reports.calls().contains("touch a"));
		});
	}

	@Test
	void taskFailureInTheBodyFailsTheTaskWithItsMessage() {
		this.runner.run((context) -> {
			TaskHandle<String> handle = awaitEnd(context.getBean(Reports.class).refuse(7));
			assertThat(handle.status()).isEqualTo(TaskStatus.FAILURE);
			assertThat(handle.error().message()).isEqualTo("customer 7 has no billing address");
			assertThat(info(context, handle.id()).result()).isEqualTo("\"customer 7 has no billing address\"");
		});
	}

	@Test
	void exceptionIsRetriedUpToRetries() {
		this.runner.run((context) -> {
			TaskHandle<String> handle = awaitEnd(context.getBean(Reports.class).flaky());
			assertThat(handle.status()).isEqualTo(TaskStatus.SUCCESS);
			assertThat(handle.result()).isEqualTo("ok after 3 attempts");
			assertThat(info(context, handle.id()).attempt()).isEqualTo(3);
		});
	}

	@Test
	void taskCallingItselfEnqueuesTheNextRunInsteadOfRecursingInline() {
		this.runner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			TaskHandle<Long> first = reports.countdown(2);

			await().atMost(Duration.ofSeconds(10)).until(() -> reports.calls().contains("countdown 0"));
			assertThat(reports.calls()).containsExactly("countdown 2", "countdown 1", "countdown 0");
			first.refresh();
			Long next = first.result();
			assertThat(next).isNotNull().isNotEqualTo(first.id());
			assertThat(info(context, next).args()).isEqualTo("[1]");
		});
	}

	@Test
	void startsByNameWithTheSameValidation() {
		this.runner.run((context) -> {
			Autotask autotask = context.getBean(Autotask.class);
			TaskHandle<Object> handle = awaitEnd(autotask.send("reports.rebuild", "tenant-1", 5L, new Range(1, 3)));
			assertThat(handle.result()).isEqualTo("rebuilt 3 rows for customer 5");
			assertThat(autotask.status(handle.id(), "sample-owner")).isEmpty();
			assertThatIllegalArgumentException().isThrownBy(() -> autotask.send("reports.nope", "tenant-1"))
				.withMessageContaining("'reports.nope'");
		});
	}

	@Test
	void enqueueJoinsTheCallersTransaction() {
		this.runner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			TransactionTemplate transactions = context.getBean(TransactionTemplate.class);
			long before = countTasks();
			transactions.executeWithoutResult((status) -> {
				reports.touch("rolled back");
				status.setRollbackOnly();
			});
			assertThat(countTasks()).isEqualTo(before);

			transactions.executeWithoutResult((status) -> reports.touch("committed"));

			await().atMost(Duration.ofSeconds(10)).until(() -> reports.calls().contains("touch committed"));
			assertThat(reports.calls()).doesNotContain("touch rolled back");
		});
	}

	@Test
	void contextParameterIsGivenAtRunTimeAndNotStored() {
		this.runner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			TaskHandle<String> handle = awaitEnd(reports.whoAmI("hello", null));
			assertThat(handle.result()).isEqualTo("hello from task " + handle.id() + " (reports.whoAmI), attempt 1");
			assertThat(info(context, handle.id()).args()).isEqualTo("[\"hello\"]");
		});
	}

	@Test
	void noRetryForFailsAtOnce() {
		this.runner.run((context) -> {
			TaskHandle<String> handle = awaitEnd(context.getBean(Reports.class).unsupported());
			assertThat(handle.status()).isEqualTo(TaskStatus.FAILURE);
			assertThat(info(context, handle.id()).attempt()).isEqualTo(1);
		});
	}

	@Test
	void registersTasksByStableNames() {
		this.runner.run((context) -> {
			assertThat(context.getBean(TaskRegistry.class).names()).contains("reports.rebuild", "reports.touch",
					"reports.refuse", "reports.flaky", "reports.countdown");
		});
	}

	@Test
	void concurrencyKeyIsTakenFromTheNamedArgumentWithItsLimits() {
		this.runner.run((context) -> {
			TaskHandle<String> handle = awaitEnd(context.getBean(Reports.class).sync(42, "full"));
			assertThat(handle.result()).isEqualTo("synced 42 (full)");
			assertThat(postgres.jdbc()
				.sql("SELECT concurrency_key || ' ' || concurrency_limit || ' ' || key_rate_micros FROM "
						+ postgres.schema() + ".autotask_task WHERE id = ?")
				.param(handle.id())
				.query(String.class)
				.single()).isEqualTo("42 1 100000");
		});
	}

	@Test
	void concurrencyKeyNamingNoParameterFailsAtStartUp() {
		AutotaskContextRunners.application(postgres).withUserConfiguration(BadKeyConfig.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("Concurrency key of task 'badKey.sync' (DelayedTaskIT.BadKey.sync(long)) names 'customer',"
						+ " which is not one of its parameters [long customerId]");
		});
		AutotaskContextRunners.application(postgres).withUserConfiguration(BadRateConfig.class).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).hasStackTraceContaining("@DelayedTask(concurrencyKey = \"customerId\")"
					+ " on DelayedTaskIT.BadRate.sync(long) is invalid: A rate limit is starts/period, such as 10/1s or"
					+ " 1000/1h, got '10 a second': no '/' between the starts and the period");
		});
	}

	private static TaskInfo info(AssertableApplicationContext context, long id) {
		return context.getBean(Autotask.class).status(id, "sample-owner").orElseThrow();
	}

	private static long countTasks() {
		return postgres.jdbc()
			.sql("SELECT count(*) FROM " + postgres.schema() + ".autotask_task")
			.query(Long.class)
			.single();
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

		@DelayedTask(concurrencyKey = "customerId", keyRateLimit = "10/1s")
		public TaskHandle<String> sync(long customerId, String mode) {
			return TaskHandle.completed("synced " + customerId + " (" + mode + ")");
		}

		@DelayedTask
		public TaskHandle<Long> countdown(int n) {
			this.calls.add("countdown " + n);
			// Through the proxy, as any other caller: this enqueues the next step.
			return TaskHandle.completed((n > 0) ? this.self.getObject().countdown(n - 1).id() : null);
		}

	}

	public static class BadKey {

		@DelayedTask(concurrencyKey = "customer")
		public void sync(long customerId) {
		}

	}

	public static class BadRate {

		@DelayedTask(concurrencyKey = "customerId", keyRateLimit = "10 a second")
		public void sync(long customerId) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BadKeyConfig {

		@Bean
		BadKey badKey() {
			return new BadKey();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class BadRateConfig {

		@Bean
		BadRate badRate() {
			return new BadRate();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Reports reports(ObjectProvider<Reports> self) {
			return new Reports(self);
		}

	}

}
