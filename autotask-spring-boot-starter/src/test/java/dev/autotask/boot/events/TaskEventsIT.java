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
import dev.autotask.boot.testsupport.AutotaskContextRunners;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An {@code @EventListener} bean in a Spring Boot application on a real PostgreSQL hears of
 * each task's end, with its result or error, after the end committed: success, failure, and
 * a cancel of a task that waited or ran.
 */
class TaskEventsIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	private final ApplicationContextRunner runner = AutotaskContextRunners.application(postgres)
		.withPropertyValues("autotask.poll-interval=1m", "autotask.workers=2", "spring.application.name=shop")
		.withUserConfiguration(Config.class);

	@Test
	void listenerHearsOfSuccessWithTheResult() {
		this.runner.run((context) -> {
			Autotask autotask = context.getBean(Autotask.class);
			Listener listener = context.getBean(Listener.class);
			TaskHandle<String> handle = context.getBean(Reports.class).rebuild(42);

			assertThat(onlyEvent(listener)).isInstanceOfSatisfying(TaskSucceededEvent.class, (event) -> {
				assertThat(event.getTaskId()).isEqualTo(handle.id());
				assertThat(event.getTaskName()).isEqualTo("reports.rebuild");
				assertThat(event.getOwner()).isEqualTo("shop");
				assertThat(event.getResult()).isEqualTo("\"rebuilt customer 42\"");
				assertThat(event.getEventId()).isPositive();
				assertThat(event.getEndedAt())
					.isEqualTo(autotask.status(handle.id(), "shop").orElseThrow().finishedAt());
			});
			assertThat(listener.inTransaction).isEmpty();
		});
	}

	@Test
	void listenerHearsOfFailureWithTheError() {
		this.runner.run((context) -> {
			Listener listener = context.getBean(Listener.class);
			TaskHandle<String> handle = context.getBean(Reports.class).refuse(7);

			assertThat(onlyEvent(listener)).isInstanceOfSatisfying(TaskFailedEvent.class, (event) -> {
				assertThat(event.getTaskId()).isEqualTo(handle.id());
				assertThat(event.getTaskName()).isEqualTo("reports.refuse");
				assertThat(event.getError().type()).isEqualTo(TaskFailure.class.getName());
				assertThat(event.getError().message()).isEqualTo("customer 7 has no billing address");
				assertThat(event.getResult()).isEqualTo("\"customer 7 has no billing address\"");
			});
		});
	}

	@Test
	void listenerThatThrowsHoldsNothingBack() {
		this.runner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			Listener listener = context.getBean(Listener.class);
			reports.explode();
			TaskHandle<String> after = reports.rebuild(1);

			// The two run side by side: either may end first.
			await().atMost(Duration.ofSeconds(10))
				.until(() -> listener.events.stream().anyMatch((event) -> event.getTaskId() == after.id())
						&& listener.events.stream().anyMatch((event) -> event.getTaskName().equals("reports.explode")));
			await().atMost(Duration.ofSeconds(5)).until(() -> outboxRows() == 0);
			assertThat(listener.events).extracting(TaskEndedEvent::getTaskName)
				.containsExactlyInAnyOrder("reports.explode", "reports.rebuild");
		});
	}

	@Test
	void listenerHearsOfACancelWhetherTheTaskWaitedOrRan() {
		this.runner.run((context) -> {
			Autotask autotask = context.getBean(Autotask.class);
			Reports reports = context.getBean(Reports.class);
			Listener listener = context.getBean(Listener.class);
			TaskHandle<Object> waiting = autotask.send("reports.rebuild",
					SendOptions.owner("shop").delay(Duration.ofHours(1)), 3);
			TaskHandle<Integer> running = reports.watch(null);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> autotask.status(running.id(), "shop").orElseThrow().progress() != null);

			assertThat(autotask.cancel(waiting.id(), "shop")).contains(TaskStatus.CANCELLED);
			// Asked to stop, it may end before cancel reads its status back: either answer is true.
			assertThat(autotask.cancel(running.id(), "shop"))
				.hasValueSatisfying((status) -> assertThat(status).isIn(TaskStatus.RUNNING, TaskStatus.CANCELLED));

			await().atMost(Duration.ofSeconds(10)).until(() -> listener.events.size() == 2);
			assertThat(listener.events).allSatisfy((event) -> assertThat(event).isInstanceOf(TaskCancelledEvent.class));
			assertThat(listener.events).extracting(TaskEndedEvent::getTaskId)
				.containsExactlyInAnyOrder(waiting.id(), running.id());
			TaskEndedEvent stopped = listener.events.stream()
				.filter((event) -> event.getTaskId() == running.id())
				.findFirst()
				.orElseThrow();
			assertThat(stopped.getResult()).as("what it returned when it stopped").matches("\\d+");
			assertThat(((TaskCancelledEvent) stopped).getError()).isNull();
			assertThat(autotask.status(running.id(), "shop").orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
		});
	}

	private static TaskEndedEvent onlyEvent(Listener listener) {
		await().atMost(Duration.ofSeconds(10)).until(() -> listener.events.size() == 1);
		return listener.events.get(0);
	}

	private static long outboxRows() {
		return postgres.jdbc().sql("SELECT count(*) FROM " + postgres.schema() + ".autotask_outbox")
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

		// Last: the recording listeners hear of the explode first, whatever order the methods
		// are found in; an exception stops the listeners after the one that threw.
		@EventListener
		@Order(Ordered.LOWEST_PRECEDENCE)
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
	static class Config {

		@Bean
		Reports reports() {
			return new Reports();
		}

		@Bean
		Listener listener() {
			return new Listener();
		}

	}

}
