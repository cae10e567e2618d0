package dev.autotask.boot.annotation;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.autotask.annotation.DelayedTask;
import dev.autotask.boot.autoconfigure.AutotaskAutoConfiguration;
import dev.autotask.boot.autoconfigure.AutotaskSchemaAutoConfiguration;
import dev.autotask.boot.testsupport.ApplicationDatabase;
import dev.autotask.test.TaskTesting;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How an application tests its own tasks: engine off, assert what was enqueued, drain it on
 * the test's thread.
 */
@SpringBootTest(classes = TaskTestingIT.Config.class, properties = "autotask.enabled=false")
class TaskTestingIT {

	@RegisterExtension
	@ApplicationDatabase
	static final PostgresExtension postgres = PostgresExtension.empty();

	@Autowired
	Mailer mailer;

	@Autowired
	TaskTesting testing;

	@BeforeEach
	void clear() {
		this.testing.clear();
		this.mailer.sent().clear();
	}

	@Test
	void assertsWhatWasEnqueuedThenRunsItSynchronously() {
		this.mailer.welcome("ada@example.com");
		this.mailer.welcome("alan@example.com");

		assertThat(this.testing.enqueued("mailer.welcome")).extracting((task) -> task.args())
			.containsExactly("[\"ada@example.com\"]", "[\"alan@example.com\"]");
		assertThat(this.mailer.sent()).as("nothing runs without the engine").isEmpty();

		TaskTesting.Drained drained = this.testing.drain();

		assertThat(drained.succeeded()).isEqualTo(3);
		assertThat(this.mailer.sent()).containsExactly("welcome ada@example.com", "welcome alan@example.com",
				"follow-up ada@example.com");
		assertThat(this.testing.enqueued("mailer.welcome")).isEmpty();
	}

	@Test
	void drainRunsRetriesAtOnceUntilTheTaskFails() {
		this.mailer.bounce("nobody@example.com");

		TaskTesting.Drained drained = this.testing.drain();

		assertThat(drained.failed()).isEqualTo(1);
		assertThat(drained.retried()).isEqualTo(2);
	}

	@Test
	void delayedTasksRunOnlyWhenAskedFor() {
		this.mailer.reminder("ada@example.com");

		assertThat(this.testing.drain().total()).isZero();
		assertThat(this.testing.drain(true).succeeded()).isEqualTo(1);
	}

	public static class Mailer {

		private final List<String> sent = new CopyOnWriteArrayList<>();

		private final org.springframework.beans.factory.ObjectProvider<Mailer> self;

		public Mailer(org.springframework.beans.factory.ObjectProvider<Mailer> self) {
			this.self = self;
		}

		public List<String> sent() {
			return this.sent;
		}

		@DelayedTask
		public void welcome(String address) {
			this.sent.add("welcome " + address);
			if (address.startsWith("ada")) {
				this.self.getObject().followUp(address);
			}
		}

		@DelayedTask
		public void followUp(String address) {
			this.sent.add("follow-up " + address);
		}

		@DelayedTask(retries = 2)
		public void bounce(String address) {
			throw new IllegalStateException("mailbox " + address + " does not exist");
		}

		@DelayedTask(delay = "1h")
		public void reminder(String address) {
			this.sent.add("reminder " + address);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, AutotaskSchemaAutoConfiguration.class,
			AutotaskAutoConfiguration.class })
	static class Config {

		@Bean
		Mailer mailer(org.springframework.beans.factory.ObjectProvider<Mailer> self) {
			return new Mailer(self);
		}

	}

}
