package dev.autotask.boot.events;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.autotask.Autotask;
import dev.autotask.SendOptions;
import dev.autotask.TaskContext;
import dev.autotask.TaskFailure;
import dev.autotask.TaskHandle;
import dev.autotask.TaskStatus;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.boot.autoconfigure.AutotaskAutoConfiguration;
import dev.autotask.boot.autoconfigure.AutotaskSchemaAutoConfiguration;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
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
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An {@code @EventListener} bean in a Spring Boot application on a real PostgreSQL hears of
 * each task's end, with its result or error, after the end committed: success, failure, and
 * a cancel of a task that waited or ran.
 */
@SpringBootTest(classes = TaskEventsIT.Config.class,
		properties = { "autotask.poll-interval=1m", "autotask.workers=2", "spring.application.name=shop" })
// Closed after the class: a cached context would hold its pool's connections to a shared server.
@DirtiesContext
class TaskEventsIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		postgres.springProperties().forEach(registry::add);
	}

	@Autowired
	Autotask autotask;

	@Autowired
	Reports reports;

	@Autowired
	Listener listener;

	@Autowired
	JdbcClient jdbc;

	@BeforeEach
	void reset() {
		this.listener.events.clear();
	}

	@Test
	void listenerHearsOfSuccessWithTheResult() {
		TaskHandle<String> handle = this.reports.rebuild(42);

		await().atMost(Duration.ofSeconds(10)).until(() -> this.listener.events.size() == 1);
		assertThat(this.listener.events.get(0)).isInstanceOfSatisfying(TaskSucceededEvent.class, (event) -> {
			assertThat(event.getTaskId()).isEqualTo(handle.id());
			assertThat(event.getTaskName()).isEqualTo("reports.rebuild");
			assertThat(event.getOwner()).isEqualTo("shop");
			assertThat(event.getResult()).isEqualTo("\"rebuilt customer 42\"");
			assertThat(event.getEventId()).isPositive();
			assertThat(event.getEndedAt())
				.isEqualTo(this.autotask.status(handle.id(), "shop").orElseThrow().finishedAt());
		});
		assertThat(this.listener.inTransaction).isEmpty();
	}

	@Test
	void listenerHearsOfFailureWithTheError() {
		TaskHandle<String> handle = this.reports.refuse(7);

		await().atMost(Duration.ofSeconds(10)).until(() -> this.listener.events.size() == 1);
		assertThat(this.listener.events.get(0)).isInstanceOfSatisfying(TaskFailedEvent.class, (event) -> {
			assertThat(event.getTaskId()).isEqualTo(handle.id());
			assertThat(event.getTaskName()).isEqualTo("reports.refuse");
			assertThat(event.getError().type()).isEqualTo(TaskFailure.class.getName());
			assertThat(event.getError().message()).isEqualTo("customer 7 has no billing address");
			assertThat(event.getResult()).isEqualTo("\"customer 7 has no billing address\"");
		});
	}

	@Test
	void listenerThatThrowsHoldsNothingBack() {
		this.reports.explode();
		TaskHandle<String> after = this.reports.rebuild(1);

		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.listener.events.stream().anyMatch((event) -> event.getTaskId() == after.id()));
		await().atMost(Duration.ofSeconds(5)).until(() -> outboxRows() == 0);
		assertThat(this.listener.events).extracting(TaskEndedEvent::getTaskName)
			.containsExactlyInAnyOrder("reports.explode", "reports.rebuild");
	}

	@Test
	void listenerHearsOfACancelWhetherTheTaskWaitedOrRan() {
		TaskHandle<Object> waiting = this.autotask.send("reports.rebuild",
				SendOptions.owner("shop").delay(Duration.ofHours(1)), 3);
		TaskHandle<Integer> running = this.reports.watch(null);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.autotask.status(running.id(), "shop").orElseThrow().progress() != null);

		assertThat(this.autotask.cancel(waiting.id(), "shop")).contains(TaskStatus.CANCELLED);
		// Asked to stop, it may end before cancel reads its status back: either answer is true.
		assertThat(this.autotask.cancel(running.id(), "shop"))
			.hasValueSatisfying((status) -> assertThat(status).isIn(TaskStatus.RUNNING, TaskStatus.CANCELLED));

		await().atMost(Duration.ofSeconds(10)).until(() -> this.listener.events.size() == 2);
		assertThat(this.listener.events).allSatisfy((event) -> assertThat(event).isInstanceOf(TaskCancelledEvent.class));
		assertThat(this.listener.events).extracting(TaskEndedEvent::getTaskId)
			.containsExactlyInAnyOrder(waiting.id(), running.id());
		TaskEndedEvent stopped = this.listener.events.stream()
			.filter((event) -> event.getTaskId() == running.id())
			.findFirst()
			.orElseThrow();
		assertThat(stopped.getResult()).as("what it returned when it stopped").matches("\\d+");
		assertThat(((TaskCancelledEvent) stopped).getError()).isNull();
		assertThat(this.autotask.status(running.id(), "shop").orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
	}

	private long outboxRows() {
		return this.jdbc.sql("SELECT count(*) FROM " + postgres.schema() + ".autotask_outbox")
			.query(Long.class)
			.single();
	}

	public static class Reports {

		@DelayedTask
		public TaskHandle<String> rebuild(long customerId) {
			return TaskHandle.completed("rebuilt customer " + customerId);
		}

		@DelayedTask(retries = 3)
		public TaskHandle<String> refuse(long customerId) {
			throw new TaskFailure("customer " + customerId + " has no billing address");
		}

		@DelayedTask
		public void explode() {
		}

		@DelayedTask
		public TaskHandle<Integer> watch(TaskContext context) {
			int rounds = 0;
			while (!context.isCancellationRequested()) {
				context.reportProgress(++rounds, -1);
			}
			return TaskHandle.completed(rounds);
		}

	}

	static class Listener {

		final List<TaskEndedEvent> events = new CopyOnWriteArrayList<>();

		final List<TaskEndedEvent> inTransaction = new CopyOnWriteArrayList<>();

		@EventListener
		void onSuccess(TaskSucceededEvent event) {
			record(event);
		}

		@EventListener
		void onFailure(TaskFailedEvent event) {
			record(event);
		}

		@EventListener
		void onCancel(TaskCancelledEvent event) {
			record(event);
		}

		@EventListener
		void failOnExplode(TaskEndedEvent event) {
			if (event.getTaskName().equals("reports.explode")) {
				throw new IllegalStateException("listener bug");
			}
		}

		private void record(TaskEndedEvent event) {
			this.events.add(event);
			if (TransactionSynchronizationManager.isActualTransactionActive()) {
				this.inTransaction.add(event);
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
			TransactionAutoConfiguration.class, AutotaskSchemaAutoConfiguration.class,
			AutotaskAutoConfiguration.class })
	static class Config {

		@Bean
		Reports reports() {
			return new Reports();
		}

		@Bean
		Listener listener() {
			return new Listener();
		}

		@Bean
		JdbcClient jdbcClient(javax.sql.DataSource dataSource) {
			return JdbcClient.create(dataSource);
		}

	}

}
