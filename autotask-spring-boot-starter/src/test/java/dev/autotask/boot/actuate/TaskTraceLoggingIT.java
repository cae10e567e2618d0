package dev.autotask.boot.actuate;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.autotask.TaskContext;
import dev.autotask.TaskHandle;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.boot.autoconfigure.AutotaskAutoConfiguration;
import dev.autotask.boot.autoconfigure.AutotaskSchemaAutoConfiguration;
import dev.autotask.testsupport.PostgresExtension;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.exporter.FinishedSpan;
import io.micrometer.tracing.exporter.SpanReporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.brave.autoconfigure.BraveAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With Boot's own tracing (Brave, W3C propagation), a task enqueued in a request runs in the
 * request's trace, and the MDC of its log lines holds the trace id beside autotask's own keys.
 */
@SpringBootTest(classes = TaskTraceLoggingIT.Config.class, properties = { "autotask.poll-interval=1m",
		"spring.application.name=shop", "management.tracing.sampling.probability=1.0" })
@DirtiesContext
class TaskTraceLoggingIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		postgres.springProperties().forEach(registry::add);
	}

	@Autowired
	Reports reports;

	@Autowired
	ObservationRegistry observations;

	@Autowired
	Spans spans;

	@Test
	void taskLogsCarryTheTraceIdOfTheRequest() {
		TaskHandle<String> handle = Observation.createNotStarted("http.server.requests", this.observations)
			.observe(() -> this.reports.rebuild(42));

		await().atMost(Duration.ofSeconds(10)).until(() -> this.spans.named("autotask.execution").size() == 1);
		FinishedSpan request = this.spans.named("http.server.requests").get(0);
		FinishedSpan enqueue = this.spans.named("autotask.enqueue").get(0);
		FinishedSpan execution = this.spans.named("autotask.execution").get(0);
		assertThat(enqueue.getTraceId()).isEqualTo(request.getTraceId());
		assertThat(execution.getTraceId()).isEqualTo(request.getTraceId());
		assertThat(execution.getParentId()).isEqualTo(enqueue.getSpanId());
		assertThat(execution.getKind()).isEqualTo(Span.Kind.CONSUMER);
		assertThat(execution.getTags()).containsEntry("task", "reports.rebuild")
			.containsEntry("queue", "default")
			.containsEntry("outcome", "SUCCESS");
		Map<String, String> mdc = this.reports.mdc().get(handle.id());
		assertThat(mdc).containsEntry("traceId", request.getTraceId())
			.containsEntry("spanId", execution.getSpanId())
			.containsEntry("autotask.taskId", Long.toString(handle.id()))
			.containsEntry("autotask.taskName", "reports.rebuild");
	}

	public static class Reports {

		private final Map<Long, Map<String, String>> mdc = new ConcurrentHashMap<>();

		// Through a method: the test holds the bean's proxy, whose own fields are unset.
		public Map<Long, Map<String, String>> mdc() {
			return this.mdc;
		}

		@DelayedTask
		public TaskHandle<String> rebuild(long customerId) {
			this.mdc.put(TaskContext.current().orElseThrow().id(), MDC.getCopyOfContextMap());
			return TaskHandle.completed("rebuilt customer " + customerId);
		}

	}

	static class Spans implements SpanReporter {

		private final List<FinishedSpan> finished = new CopyOnWriteArrayList<>();

		@Override
		public void report(FinishedSpan span) {
			this.finished.add(span);
		}

		List<FinishedSpan> named(String name) {
			return this.finished.stream().filter((span) -> name.equals(span.getName())).toList();
		}

		@Override
		public void close() {
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
			TransactionAutoConfiguration.class, AutotaskSchemaAutoConfiguration.class, AutotaskAutoConfiguration.class,
			ObservationAutoConfiguration.class, MicrometerTracingAutoConfiguration.class, BraveAutoConfiguration.class })
	static class Config {

		@Bean
		Spans spans() {
			return new Spans();
		}

		@Bean
		Reports reports() {
			return new Reports();
		}

	}

}
