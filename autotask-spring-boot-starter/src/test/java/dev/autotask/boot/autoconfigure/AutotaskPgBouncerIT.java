package dev.autotask.boot.autoconfigure;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

import dev.autotask.annotation.DelayedTask;
import dev.autotask.annotation.PeriodicTask;
import dev.autotask.boot.events.TaskSucceededEvent;
import dev.autotask.engine.Engine;
import dev.autotask.testsupport.PgBouncer;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.event.EventListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application whose DataSource goes through a real PgBouncer in transaction mode:
 * {@code @DelayedTask} calls, their runs, a {@code @PeriodicTask} and the events of ended tasks
 * all go through it, with {@code autotask.listen.url} for a direct LISTEN connection or with
 * {@code autotask.listen.enabled=false}. The tables are migrated beforehand over a direct
 * connection, as docs/operations.md says to: Flyway sets the {@code search_path} of its session.
 */
class AutotaskPgBouncerIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static PgBouncer pgBouncer;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
				AutotaskSchemaAutoConfiguration.class, AutotaskAutoConfiguration.class))
		.withBean(Jobs.class);

	@BeforeAll
	static void startPgBouncer() throws IOException {
		pgBouncer = PgBouncer.start(postgres, 2);
	}

	@AfterAll
	static void stopPgBouncer() {
		pgBouncer.close();
	}

	@Test
	void listenUrlWakesTheEngineAtOnceWhileEverythingElseGoesThroughPgBouncer() {
		// A poll interval far longer than the test: only a notification starts the task promptly.
		this.runner
			.withPropertyValues(throughPgBouncer("autotask.poll-interval=10m", "autotask.listen.url=" + postgres.jdbcUrl()))
			.run((context) -> {
				Engine engine = context.getBean(EngineLifecycle.class).engine();
				assertThat(engine.notifications().describe(Duration.ofMinutes(10)))
					.startsWith("LISTEN on " + postgres.jdbcUrl() + " (a direct connection)");
				Jobs jobs = context.getBean(Jobs.class);
				await().atMost(Duration.ofSeconds(10)).until(() -> jobs.ticks() >= 1);
				// Idle now: the dispatcher sleeps for the poll interval.
				await().pollDelay(Duration.ofMillis(500)).until(() -> true);

				Instant called = Instant.now();
				jobs.mark();

				await().atMost(Duration.ofSeconds(5)).until(() -> jobs.marked() != null);
				assertThat(Duration.between(called, jobs.marked())).isLessThan(Duration.ofSeconds(2));
				// The outbox relay, woken by its own notification, publishes the task's end.
				await().atMost(Duration.ofSeconds(5)).until(() -> jobs.succeeded().stream().anyMatch((name) -> name.endsWith("mark")));
			});
	}

	@Test
	void listenOffPollsOnlyAndStillRunsEverything() {
		this.runner.withPropertyValues(throughPgBouncer("autotask.poll-interval=200ms", "autotask.listen.enabled=false"))
			.run((context) -> {
				Engine engine = context.getBean(EngineLifecycle.class).engine();
				assertThat(engine.notifications().listens()).isFalse();
				Jobs jobs = context.getBean(Jobs.class);
				await().atMost(Duration.ofSeconds(10)).until(() -> jobs.ticks() >= 1);

				jobs.mark();

				await().atMost(Duration.ofSeconds(5)).until(() -> jobs.marked() != null);
				await().atMost(Duration.ofSeconds(5)).until(() -> jobs.succeeded().stream().anyMatch((name) -> name.endsWith("mark")));
			});
	}

	@Test
	void withoutListenPropertiesTheEngineListensOnItsDataSource() {
		this.runner.withPropertyValues(postgres.springPropertyValues()).run((context) -> {
			Engine engine = context.getBean(EngineLifecycle.class).engine();
			assertThat(engine.notifications().describe(Duration.ofSeconds(5)))
				.startsWith("LISTEN on a connection of the engine's DataSource");
		});
	}

	private static String[] throughPgBouncer(String... more) {
		String[] properties = { "spring.datasource.url=" + pgBouncer.jdbcUrl(),
				"spring.datasource.username=" + postgres.username(), "spring.datasource.password=" + postgres.password(),
				"autotask.schema=" + postgres.schema(), "autotask.flyway.enabled=false" };
		String[] all = new String[properties.length + more.length];
		System.arraycopy(properties, 0, all, 0, properties.length);
		System.arraycopy(more, 0, all, properties.length, more.length);
		return all;
	}

	// Read through methods: the bean is a proxy, whose own fields stay empty.
	public static class Jobs {

		private final AtomicReference<Instant> marked = new AtomicReference<>();

		private final ConcurrentLinkedQueue<Instant> ticks = new ConcurrentLinkedQueue<>();

		private final ConcurrentLinkedQueue<String> succeeded = new ConcurrentLinkedQueue<>();

		@DelayedTask
		public void mark() {
			this.marked.compareAndSet(null, Instant.now());
		}

		@PeriodicTask(every = "1s", startNow = true)
		public void tick() {
			this.ticks.add(Instant.now());
		}

		@EventListener
		public void onSuccess(TaskSucceededEvent event) {
			this.succeeded.add(event.getTaskName());
		}

		public List<String> succeeded() {
			return List.copyOf(this.succeeded);
		}

		public Instant marked() {
			return this.marked.get();
		}

		public int ticks() {
			return this.ticks.size();
		}

	}

}
