package dev.autotask.boot.actuate;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.autotask.TaskContext;
import dev.autotask.TaskHandle;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.boot.testsupport.AutotaskContextRunners;
import dev.autotask.testsupport.PostgresExtension;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.exporter.FinishedSpan;
import io.micrometer.tracing.exporter.SpanReporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.brave.autoconfigure.BraveAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With Boot's own tracing (Brave, W3C propagation), a task enqueued in a request runs in the
 * request's trace, and the MDC of its log lines holds the trace id beside autotask's own keys.
 */
class TaskTraceLoggingIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	private final ApplicationContextRunner runner = AutotaskContextRunners.application(postgres)
		.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class,
				MicrometerTracingAutoConfiguration.class, BraveAutoConfiguration.class))
		.withPropertyValues("autotask.poll-interval=1m", "spring.application.name=shop",
				"management.tracing.sampling.probability=1.0")
		.withUserConfiguration(Config.class);

	@Test
	void taskLogsCarryTheTraceIdOfTheRequest() {
		this.runner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			ObservationRegistry observations = context.getBean(ObservationRegistry.class);
			Spans spans = context.getBean(Spans.class);
			TaskHandle<String> handle = Observation.createNotStarted("http.server.requests", observations)
				.observe(() -> reports.rebuild(42));

			await().atMost(Duration.ofSeconds(10)).until(() -> spans.named("autotask.execution").size() == 1);
			FinishedSpan request = spans.named("http.server.requests").get(0);
			FinishedSpan enqueue = spans.named("autotask.enqueue").get(0);
			FinishedSpan execution = spans.named("autotask.execution").get(0);
			assertThat(enqueue.getTraceId()).isEqualTo(request.getTraceId());
			assertThat(execution.getTraceId()).isEqualTo(request.getTraceId());
			assertThat(execution.getParentId()).isEqualTo(enqueue.getSpanId());
			assertThat(execution.getKind()).isEqualTo(Span.Kind.CONSUMER);
			assertThat(execution.getTags()).containsEntry("task", "reports.rebuild")
				.containsEntry("queue", "default")
				.containsEntry("outcome", "SUCCESS");
			Map<String, String> mdc = reports.mdc().get(handle.id());
			assertThat(mdc).containsEntry("traceId", request.getTraceId())
				.containsEntry("spanId", execution.getSpanId())
				.containsEntry("autotask.taskId", Long.toString(handle.id()))
				.containsEntry("autotask.taskName", "reports.rebuild");
		});
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
