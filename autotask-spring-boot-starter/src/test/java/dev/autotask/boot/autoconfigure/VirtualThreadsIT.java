package dev.autotask.boot.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.autotask.TaskHandle;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.boot.testsupport.AutotaskContextRunners;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With {@code spring.threads.virtual.enabled=true}, tasks run on virtual threads where the JVM
 * has them (Java 21 or later), and on the usual worker threads before, as Boot's own executors
 * do: the same test checks each, on whichever JDK runs it, and skips on none.
 */
class VirtualThreadsIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	private final ApplicationContextRunner runner = AutotaskContextRunners.application(postgres)
		.withPropertyValues("autotask.poll-interval=1m", "spring.threads.virtual.enabled=true")
		.withUserConfiguration(Config.class);

	@Test
	void tasksRunOnVirtualThreadsFromJava21() {
		this.runner.run((context) -> {
			Probe probe = context.getBean(Probe.class);
			TaskHandle<String> handle = probe.thread();

			await().atMost(Duration.ofSeconds(10)).until(() -> probe.virtual().containsKey(handle.id()));
			boolean expected = Runtime.version().feature() >= 21;
			assertThat(probe.virtual().get(handle.id()))
				.as("task ran on a virtual thread, on Java " + Runtime.version().feature())
				.isEqualTo(expected);
			assertThat(probe.names().get(handle.id())).startsWith("autotask-worker-");
		});
	}

	public static class Probe {

		final Map<Long, Boolean> virtual = new ConcurrentHashMap<>();

		final Map<Long, String> names = new ConcurrentHashMap<>();

		// Through methods: the test holds the bean's proxy, whose own fields are unset.
		public Map<Long, Boolean> virtual() {
			return this.virtual;
		}

		public Map<Long, String> names() {
			return this.names;
		}

		@DelayedTask
		public TaskHandle<String> thread() {
			long id = dev.autotask.TaskContext.current().orElseThrow().id();
			this.names.put(id, Thread.currentThread().getName());
			this.virtual.put(id, isVirtual(Thread.currentThread()));
			return TaskHandle.completed("ran");
		}

		// Thread.isVirtual() is Java 21's; this module compiles for Java 17.
		private static boolean isVirtual(Thread thread) {
			if (Runtime.version().feature() < 21) {
				return false;
			}
			try {
				return (Boolean) Thread.class.getMethod("isVirtual").invoke(thread);
			}
			catch (ReflectiveOperationException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Config {

		@Bean
		Probe probe() {
			return new Probe();
		}

	}

}
