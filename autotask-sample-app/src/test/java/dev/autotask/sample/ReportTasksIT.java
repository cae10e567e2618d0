package dev.autotask.sample;

import dev.autotask.boot.testsupport.ApplicationDatabase;
import dev.autotask.test.TaskTesting;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the sample tests its own tasks with {@link TaskTesting}: the engine off, the enqueued
 * tasks checked, then run on the test's thread.
 */
@SpringBootTest(properties = "autotask.enabled=false")
class ReportTasksIT {

	@RegisterExtension
	@ApplicationDatabase
	static final PostgresExtension postgres = PostgresExtension.empty();

	@Autowired
	ReportTasks reports;

	@Autowired
	TaskTesting testing;

	@BeforeEach
	void clear() {
		this.testing.clear();
	}

	@Test
	void invoicesAreEnqueuedThenRunInTheTest() {
		this.reports.invoice(42);
		this.reports.invoice(7);

		assertThat(this.testing.enqueued("reportTasks.invoice")).extracting((task) -> task.args())
			.containsExactly("[42]", "[7]");
		TaskTesting.Drained drained = this.testing.drain();

		assertThat(drained.succeeded()).isEqualTo(1);
		assertThat(drained.failed()).as("customer 7 has no billing address").isEqualTo(1);
	}

}
