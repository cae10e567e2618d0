package dev.autotask.boot.actuate;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import dev.autotask.TaskHandle;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.boot.testsupport.AutotaskContextRunners;
import dev.autotask.testsupport.PostgresExtension;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler.FirstMatchingCompositeObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.propagation.Propagator;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With a tracer behind the application's {@link ObservationRegistry}, a task enqueued inside a
 * request's observation runs in the same trace: the enqueue is a span of that trace, its trace
 * context is stored with the task, and the execution's span, tagged with the task, its queue and
 * its outcome, is a child of the enqueue's span, current while the task runs.
 */
class TaskTracingIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	private final ApplicationContextRunner runner = AutotaskContextRunners.application(postgres)
		.withPropertyValues("autotask.poll-interval=1m", "spring.application.name=shop")
		.withUserConfiguration(Config.class);

	@Test
	void executionJoinsTheTraceOfTheRequestThatEnqueuedIt() {
		this.runner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			TaskHandle<String> handle = inRequest(context, () -> reports.rebuild(42));
			SimpleSpan request = span(context, "http.server.requests");

			await().atMost(Duration.ofSeconds(10)).until(() -> ended(context, "autotask.execution") != null);
			SimpleSpan enqueue = span(context, "autotask.enqueue");
			SimpleSpan execution = ended(context, "autotask.execution");
			assertThat(enqueue.getKind()).isEqualTo(Span.Kind.PRODUCER);
			assertThat(enqueue.getTraceId()).isEqualTo(request.getTraceId());
			assertThat(enqueue.getParentId()).isEqualTo(request.getSpanId());
			assertThat(enqueue.getTags()).containsEntry("task", "reports.rebuild").containsEntry("queue", "default");
			assertThat(execution.getKind()).isEqualTo(Span.Kind.CONSUMER);
			assertThat(execution.getTraceId()).isEqualTo(request.getTraceId());
			assertThat(execution.getParentId()).isEqualTo(enqueue.getSpanId());
			assertThat(execution.getTags()).containsEntry("task", "reports.rebuild")
				.containsEntry("queue", "default")
				.containsEntry("outcome", "SUCCESS")
				.containsEntry("task.id", Long.toString(handle.id()));
			assertThat(reports.traceIds()).containsEntry(42L, request.getTraceId());
			assertThat(traceContext(handle.id())).contains("\"traceparent\"").contains(request.getTraceId());
		});
	}

	@Test
	void failedExecutionIsTaggedWithItsOutcome() {
		this.runner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			SimpleTracer tracer = context.getBean(SimpleTracer.class);
			TaskHandle<String> handle = inRequest(context, () -> reports.refuse(7));

			await().atMost(Duration.ofSeconds(10))
				.until(() -> tracer.getSpans()
					.stream()
					.anyMatch((span) -> "autotask.execution".equals(span.getName())
							&& Long.toString(handle.id()).equals(span.getTags().get("task.id"))
							&& span.getEndTimestamp() != null));
			SimpleSpan execution = tracer.getSpans()
				.stream()
				.filter((span) -> Long.toString(handle.id()).equals(span.getTags().get("task.id")))
				.findFirst()
				.orElseThrow();
			assertThat(execution.getTags()).containsEntry("outcome", "FAILURE").containsEntry("task", "reports.refuse");
		});
	}

	@Test
	void everyLinkOfAChainRunsInTheTraceOfTheFirst() {
		this.runner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			inRequest(context, () -> reports.countDown(3, null));
			SimpleSpan request = span(context, "http.server.requests");

			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(reports.traceIds()).containsKey(-1L));
			assertThat(reports.traceIds()).containsEntry(-3L, request.getTraceId())
				.containsEntry(-2L, request.getTraceId())
				.containsEntry(-1L, request.getTraceId());
		});
	}

	@Test
	void taskEnqueuedOutsideAnyTraceStartsOneOfItsOwn() {
		this.runner.run((context) -> {
			Reports reports = context.getBean(Reports.class);
			TaskHandle<String> handle = reports.rebuild(9);

			await().atMost(Duration.ofSeconds(10)).until(() -> reports.traceIds().containsKey(9L));
			SimpleSpan enqueue = context.getBean(SimpleTracer.class)
				.getSpans()
				.stream()
				.filter((span) -> "autotask.enqueue".equals(span.getName())
						&& span.getTraceId().equals(reports.traceIds().get(9L)))
				.findFirst()
				.orElseThrow();
			assertThat(enqueue.getParentId()).isNullOrEmpty();
			assertThat(traceContext(handle.id())).contains(enqueue.getTraceId());
		});
	}

	private static @Nullable String traceContext(long id) {
		return postgres.jdbc()
			.sql("SELECT trace_context::text FROM " + postgres.schema() + ".autotask_task WHERE id = ?")
			.param(id)
			.query(String.class)
			.single();
	}

	private static <T> T inRequest(AssertableApplicationContext context, Supplier<T> call) {
		return request(context).observe(call);
	}

	private static void inRequest(AssertableApplicationContext context, Runnable call) {
		request(context).observe(call);
	}

	private static Observation request(AssertableApplicationContext context) {
		return Observation.createNotStarted("http.server.requests", context.getBean(ObservationRegistry.class));
	}

	private static SimpleSpan span(AssertableApplicationContext context, String name) {
		List<SimpleSpan> spans = context.getBean(SimpleTracer.class)
			.getSpans()
			.stream()
			.filter((span) -> name.equals(span.getName()))
			.toList();
		assertThat(spans).as("spans named " + name).isNotEmpty();
		return spans.get(spans.size() - 1);
	}

	private static @Nullable SimpleSpan ended(AssertableApplicationContext context, String name) {
		return context.getBean(SimpleTracer.class)
			.getSpans()
			.stream()
			.filter((span) -> name.equals(span.getName()) && span.getEndTimestamp() != null
					&& "reports.rebuild".equals(span.getTags().get("task")) && "SUCCESS".equals(span.getTags().get("outcome")))
			.reduce((first, second) -> second)
			.orElse(null);
	}

	public static class Reports {

		final Map<Long, String> traceIds = new ConcurrentHashMap<>();

		private final SimpleTracer tracer;

		Reports(SimpleTracer tracer) {
			this.tracer = tracer;
		}

		// Through a method: the test holds the bean's proxy, whose own fields are unset.
		public Map<Long, String> traceIds() {
			return this.traceIds;
		}

		@DelayedTask
		public TaskHandle<String> rebuild(long customerId) {
			Span current = this.tracer.currentSpan();
			this.traceIds.put(customerId, (current != null) ? current.context().traceId() : "none");
			return TaskHandle.completed("rebuilt customer " + customerId);
		}

		@DelayedTask
		public void countDown(long left, dev.autotask.TaskContext context) {
			Span current = this.tracer.currentSpan();
			this.traceIds.put(-left, (current != null) ? current.context().traceId() : "none");
			if (left > 1) {
				throw context.repeat(left - 1);
			}
		}

		@DelayedTask
		public TaskHandle<String> refuse(long customerId) {
			throw new dev.autotask.TaskFailure("customer " + customerId + " has no billing address");
		}

	}

	/**
	 * W3C {@code traceparent} for the {@link SimpleTracer}, which brings no propagator: what the
	 * Brave and OpenTelemetry bridges write and read in an application.
	 */
	static final class TraceparentPropagator implements Propagator {

		private final SimpleTracer tracer;

		TraceparentPropagator(SimpleTracer tracer) {
			this.tracer = tracer;
		}

		@Override
		public List<String> fields() {
			return List.of("traceparent");
		}

		@Override
		public <C> void inject(TraceContext context, @Nullable C carrier, Setter<C> setter) {
			setter.set(carrier, "traceparent", "00-" + context.traceId() + "-" + context.spanId() + "-01");
		}

		@Override
		public <C> Span.Builder extract(C carrier, Getter<C> getter) {
			String traceparent = getter.get(carrier, "traceparent");
			if (traceparent == null) {
				return this.tracer.spanBuilder();
			}
			String[] parts = traceparent.split("-");
			TraceContext parent = this.tracer.traceContextBuilder()
				.traceId(parts[1])
				.spanId(parts[2])
				.sampled(true)
				.build();
			return this.tracer.spanBuilder().setParent(parent);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		SimpleTracer tracer() {
			return new SimpleTracer();
		}

		// Wired as Boot's tracing auto-configuration wires it: the first matching of the
		// propagating handlers and the default one.
		@Bean
		ObservationRegistry observationRegistry(SimpleTracer tracer) {
			Propagator propagator = new TraceparentPropagator(tracer);
			ObservationRegistry registry = ObservationRegistry.create();
			registry.observationConfig()
				.observationHandler(new FirstMatchingCompositeObservationHandler(
						new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
						new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
						new DefaultTracingObservationHandler(tracer)));
			return registry;
		}

		@Bean
		Reports reports(SimpleTracer tracer) {
			return new Reports(tracer);
		}

	}

}
