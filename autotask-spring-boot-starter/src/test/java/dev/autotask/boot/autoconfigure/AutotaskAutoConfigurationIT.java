package dev.autotask.boot.autoconfigure;

import dev.autotask.Autotask;
import dev.autotask.TaskHandle;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.boot.events.ApplicationEventSink;
import dev.autotask.boot.testsupport.AutotaskContextRunners;
import dev.autotask.engine.EngineSettings;
import dev.autotask.engine.RateLimit;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each condition of the auto-configuration, and each bad {@code @DelayedTask} that must fail
 * the start-up with a message naming the method.
 */
class AutotaskAutoConfigurationIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	private final ApplicationContextRunner runner = AutotaskContextRunners.application(postgres);

	@Test
	void startsTheApiTheEngineAndTheMigration() {
		this.runner.withPropertyValues("autotask.workers=3", "autotask.owner=billing",
				"autotask.queues.reports.concurrency=2").run((context) -> {
			assertThat(context).hasSingleBean(Autotask.class)
				.hasSingleBean(EngineLifecycle.class)
				.hasSingleBean(AutotaskSchemaInitializer.class);
			assertThat(context.getBean(EngineLifecycle.class).isRunning()).isTrue();
			EngineSettings settings = context.getBean(EngineSettings.class);
			assertThat(settings.workers()).isEqualTo(3);
			assertThat(settings.defaultOwner()).isEqualTo("billing");
			assertThat(settings.schema()).isEqualTo(postgres.schema());
			assertThat(settings.queueConcurrency()).containsExactly(java.util.Map.entry("reports", 2));
			// The engine relays task events, to the application's listeners at least.
			assertThat(settings.events()).isTrue();
			assertThat(context).hasSingleBean(ApplicationEventSink.class);
			assertThat(tableExists("autotask_task")).isTrue();
			assertThat(tableExists("autotask_schema_history")).isTrue();
		});
	}

	@Test
	void aQueueLimitedAcrossTheClusterRunsOnAsManyThreadsAsItsLimitUnlessItHasItsOwn() {
		this.runner.withPropertyValues("autotask.queues.partner.global-concurrency=3",
				"autotask.queues.mail.global-concurrency=5", "autotask.queues.mail.concurrency=2").run((context) -> {
			EngineSettings settings = context.getBean(EngineSettings.class);
			assertThat(settings.queueGlobalConcurrency())
				.isEqualTo(java.util.Map.of("partner", 3, "mail", 5));
			assertThat(settings.queueConcurrency()).isEqualTo(java.util.Map.of("mail", 2));
		});
	}

	@Test
	void aQueueRateLimitIsReadAsStartsPerPeriodAndABadOneNamesTheProperty() {
		this.runner.withPropertyValues("autotask.queues.api.rate-limit=10/1s", "autotask.queues.bulk.rate-limit=1000 / 1h")
			.run((context) -> assertThat(context.getBean(EngineSettings.class).queueRateLimits()).isEqualTo(
					java.util.Map.of("api", new RateLimit(10, java.time.Duration.ofSeconds(1)), "bulk",
							new RateLimit(1000, java.time.Duration.ofHours(1)))));
		this.runner.withPropertyValues("autotask.queues.api.rate-limit=10 per second", "autotask.enabled=false")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("autotask.queues.api.rate-limit")
				.hasMessageContaining("A rate limit is starts/period, such as 10/1s or 1000/1h"));
	}

	@Test
	void ownerDefaultsToTheApplicationName() {
		this.runner.withPropertyValues("spring.application.name=shop")
			.run((context) -> assertThat(context.getBean(Autotask.class).defaultOwner()).isEqualTo("shop"));
	}

	@Test
	void disabledEngineStillOffersTheApi() {
		this.runner.withPropertyValues("autotask.enabled=false").run((context) -> {
			assertThat(context).hasSingleBean(Autotask.class).doesNotHaveBean(EngineLifecycle.class);
		});
	}

	@Test
	void backsOffWithoutADataSource() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(AutotaskSchemaAutoConfiguration.class,
					AutotaskAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(Autotask.class)
				.doesNotHaveBean(AutotaskSchemaInitializer.class));
	}

	@Test
	void migrationCanBeLeftToTheApplication() {
		this.runner.withPropertyValues("autotask.flyway.enabled=false", "autotask.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(AutotaskSchemaInitializer.class)
				.hasSingleBean(Autotask.class));
	}

	@Test
	void badPropertyValueFailsNamingIt() {
		this.runner.withPropertyValues("autotask.workers=0")
			.run(failsWith("Property autotask.workers with value '0' is invalid: workers must be at least 1, was 0"));
	}

	@Test
	void registersAnnotatedMethods() {
		this.runner.withBean("reports", Reports.class).run((context) -> {
			assertThat(context.getBean(TaskRegistry.class).names()).containsExactlyInAnyOrder("reports.rebuild", "renamed");
			assertThat(context.getBean(TaskRegistry.class).get("reports.rebuild").maxAttempts()).isEqualTo(3);
		});
	}

	@Test
	void finalMethodFailsStartUp() {
		this.runner.withBean("bad", FinalMethod.class)
			.run(failsWith("FinalMethod.run() cannot be proxied as a task: it is final"));
	}

	@Test
	void nonPublicMethodFailsStartUp() {
		this.runner.withBean("bad", PackagePrivateMethod.class)
			.run(failsWith("PackagePrivateMethod.run(String) cannot be proxied as a task: it is not public"));
	}

	@Test
	void finalClassFailsStartUp() {
		this.runner.withBean("bad", FinalClass.class)
			.run(failsWith("FinalClass.run() cannot be proxied as a task: its class is final"));
	}

	@Test
	void otherReturnTypeFailsStartUp() {
		this.runner.withBean("bad", ReturnsString.class).run(failsWith("ReturnsString.run() cannot be proxied as a task: it returns String"));
	}

	@Test
	void badDurationFailsStartUpNamingMethodAndValue() {
		this.runner.withBean("bad", BadDuration.class)
			.run(failsWith("BadDuration.run() is not a duration"));
	}

	@Test
	void negativeRetriesFailStartUp() {
		this.runner.withBean("bad", NegativeRetries.class)
			.run(failsWith("NegativeRetries.run() must be zero or more"));
	}

	@Test
	void twoTasksWithOneNameFailStartUpNamingBoth() {
		this.runner.withBean("first", SameName.class)
			.withBean("second", SameNameToo.class)
			.run(failsWith("Two tasks are named 'shared'"));
	}

	private static ContextConsumer<AssertableApplicationContext> failsWith(String message) {
		return (context) -> assertThat(context).hasFailed().getFailure().hasStackTraceContaining(message);
	}

	private boolean tableExists(String table) {
		return postgres.jdbc()
			.sql("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?")
			.params(postgres.schema(), table)
			.query(Long.class)
			.single() == 1;
	}

	public static class Reports {

		@DelayedTask(retries = 2)
		public TaskHandle<String> rebuild(long id) {
			return TaskHandle.completed("done");
		}

		@DelayedTask(name = "renamed")
		public void other() {
		}

	}

	public static class FinalMethod {

		@DelayedTask
		public final void run() {
		}

	}

	public static class PackagePrivateMethod {

		@DelayedTask
		void run(String value) {
		}

	}

	public static final class FinalClass {

		@DelayedTask
		public void run() {
		}

	}

	public static class ReturnsString {

		@DelayedTask
		public String run() {
			return "no";
		}

	}

	public static class BadDuration {

		@DelayedTask(ttl = "ten minutes")
		public void run() {
		}

	}

	public static class NegativeRetries {

		@DelayedTask(retries = -1)
		public void run() {
		}

	}

	public static class SameName {

		@DelayedTask(name = "shared")
		public void run() {
		}

	}

	public static class SameNameToo {

		@DelayedTask(name = "shared")
		public void go() {
		}

	}

}
