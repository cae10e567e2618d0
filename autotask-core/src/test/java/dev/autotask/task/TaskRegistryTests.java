package dev.autotask.task;

import java.time.Duration;
import java.util.List;

import dev.autotask.schedule.Every;
import dev.autotask.schedule.Misfire;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link TaskRegistry}.
 */
class TaskRegistryTests {

	private final TaskRegistry registry = new TaskRegistry();

	@Test
	void findsRegisteredTaskByName() {
		TaskDefinition task = definition("reports.rebuild", "Reports.rebuild(long)");

		this.registry.register(task);

		assertThat(this.registry.find("reports.rebuild")).containsSame(task);
		assertThat(this.registry.get("reports.rebuild")).isSameAs(task);
	}

	@Test
	void scheduledTaskNamedLikeTheFiresOfRuntimeSchedulesIsRejected() {
		TaskDefinition task = definition("runtime:1", "Ticks.tick()");

		assertThatIllegalStateException()
			.isThrownBy(() -> this.registry.register(task, new TaskSchedule("runtime:1",
					Every.of(Duration.ofMinutes(1)), false, Misfire.RUN_ONCE, "every 1m")))
			.withMessageContaining("Ticks.tick()")
			.withMessageContaining("runtime:");
	}

	@Test
	void findOfUnknownNameIsEmpty() {
		this.registry.register(definition("a", "A.run()"));

		assertThat(this.registry.find("b")).isEmpty();
	}

	@Test
	void duplicateNameIsRejectedNamingBothSources() {
		TaskDefinition first = definition("reports.rebuild", "Reports.rebuild(long)");
		this.registry.register(first);

		assertThatIllegalStateException()
			.isThrownBy(() -> this.registry.register(definition("reports.rebuild", "Billing.rebuild(String)")))
			.withMessageContaining("'reports.rebuild'")
			.withMessageContaining("Reports.rebuild(long)")
			.withMessageContaining("Billing.rebuild(String)");
		assertThat(this.registry.get("reports.rebuild")).isSameAs(first);
		assertThat(this.registry.definitions()).hasSize(1);
	}

	@Test
	void getOfUnknownNameNamesItAndTheRegisteredTasks() {
		this.registry.register(definition("b", "B.run()"));
		this.registry.register(definition("a", "A.run()"));

		assertThatIllegalArgumentException().isThrownBy(() -> this.registry.get("no.such.task"))
			.withMessageContaining("'no.such.task'")
			.withMessageContaining("[a, b]");
	}

	@Test
	void namesAndDefinitionsAreOrderedByName() {
		this.registry.register(definition("c", "C.run()"));
		this.registry.register(definition("a", "A.run()"));
		this.registry.register(definition("b", "B.run()"));

		assertThat(this.registry.names()).containsExactly("a", "b", "c");
		assertThat(this.registry.definitions()).extracting(TaskDefinition::source)
			.containsExactly("A.run()", "B.run()", "C.run()");
	}

	@Test
	void namesAndDefinitionsCannotBeChangedThroughTheViews() {
		this.registry.register(definition("a", "A.run()"));

		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> this.registry.names().remove("a"));
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> this.registry.definitions().clear());
		assertThat(this.registry.names()).containsExactly("a");
	}

	@Test
	void emptyRegistryHasNoNames() {
		assertThat(this.registry.names()).isEmpty();
		assertThat(this.registry.definitions()).isEmpty();
	}

	private static TaskDefinition definition(String name, String source) {
		return new TaskDefinition(name, "default", List.of(), Void.class, 1, Duration.ZERO, null, null, false, List.of(), null, source,
				(args) -> null);
	}

}
