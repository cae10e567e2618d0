package dev.autotask.sample;

import java.time.Duration;
import java.util.UUID;

import dev.autotask.TaskHandle;
import dev.autotask.TaskStatus;
import dev.autotask.boot.testsupport.ApplicationDatabase;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.RabbitBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample as docker-compose.yml runs it, with task events sent to RabbitMQ: its own consumer
 * sees each event arrive on its queue.
 */
@SpringBootTest(properties = { "autotask.events.amqp.enabled=true", "autotask.poll-interval=1s" })
// Closed after the class: its listener container would otherwise consume on a shared broker.
@DirtiesContext
class TaskEventQueueIT {

	@RegisterExtension
	@ApplicationDatabase
	static final PostgresExtension postgres = PostgresExtension.empty();

	@DynamicPropertySource
	static void broker(DynamicPropertyRegistry registry) {
		RabbitBroker broker = RabbitBroker.get();
		registry.add("spring.rabbitmq.host", broker::host);
		registry.add("spring.rabbitmq.port", broker::port);
		registry.add("spring.rabbitmq.username", broker::username);
		registry.add("spring.rabbitmq.password", broker::password);
		// Of this run alone: the broker may be shared with other runs.
		String exchange = "sample-test-" + UUID.randomUUID();
		registry.add("autotask.events.amqp.exchange", () -> exchange);
	}

	@Autowired
	ReportTasks reports;

	@Autowired
	TaskEventQueue queue;

	@Test
	void eventOfAFinishedReportArrivesOnTheSamplesQueue() {
		TaskHandle<String> report = this.reports.rebuild(42, 10, null);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.queue.last().contains("autotask.task.reportTasks.rebuild.success.v1"));
		assertThat(report.refresh().status()).isEqualTo(TaskStatus.SUCCESS);
	}

}
