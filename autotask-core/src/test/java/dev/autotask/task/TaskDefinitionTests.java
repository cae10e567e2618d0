package dev.autotask.task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/**
 * Tests for {@link TaskDefinition}.
 */
class TaskDefinitionTests {

	private static final String SOURCE = "Reports.rebuild(long)";

	private static final TaskInvoker NOTHING = (args) -> null;

	@Test
	void ofUsesTheUsualDefaults() {
		TaskDefinition task = TaskDefinition.of("reports.rebuild", NOTHING, new TaskParameter("id", long.class));

		assertThat(task.name()).isEqualTo("reports.rebuild");
		assertThat(task.queue()).isEqualTo("default");
		assertThat(task.parameters()).containsExactly(new TaskParameter("id", long.class));
		assertThat(task.resultType()).isEqualTo(Void.class);
		assertThat(task.maxAttempts()).isEqualTo(4);
		assertThat(task.delay()).isZero();
		assertThat(task.ttl()).isNull();
		assertThat(task.source()).isEqualTo("reports.rebuild");
		assertThat(task.invoker()).isSameAs(NOTHING);
	}

	@Test
	void withersChangeOnlyTheirOwnValue() {
		TaskDefinition task = TaskDefinition.of("t", NOTHING)
			.withQueue("mail")
			.withRetries(0)
			.withResultType(String.class)
			.withDelay(Duration.ofSeconds(5))
			.withTtl(Duration.ofHours(1));

		assertThat(task.name()).isEqualTo("t");
		assertThat(task.queue()).isEqualTo("mail");
		assertThat(task.maxAttempts()).isEqualTo(1);
		assertThat(task.resultType()).isEqualTo(String.class);
		assertThat(task.delay()).isEqualTo(Duration.ofSeconds(5));
		assertThat(task.ttl()).isEqualTo(Duration.ofHours(1));
		assertThat(task.source()).isEqualTo("t");
		assertThat(task.invoker()).isSameAs(NOTHING);
	}

	@Test
	void parametersAreCopiedAndCannotBeChanged() {
		List<TaskParameter> parameters = new ArrayList<>(List.of(new TaskParameter("id", long.class)));
		TaskDefinition task = definition("t", "default", parameters);

		parameters.add(new TaskParameter("other", String.class));

		assertThat(task.parameters()).hasSize(1);
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> task.parameters().add(new TaskParameter("more", int.class)));
	}

	@Test
	void blankNameIsRejectedNamingTheSource() {
		assertThatIllegalArgumentException().isThrownBy(() -> definition(" ", "default", List.of()))
			.withMessageContaining(SOURCE)
			.withMessageContaining("1 to 200 characters");
	}

	@Test
	void nameOfMaxLengthIsAcceptedAndOneLongerIsRejected() {
		String longest = "n".repeat(TaskDefinition.MAX_NAME_LENGTH);

		assertThat(definition(longest, "default", List.of()).name()).hasSize(200);
		assertThatIllegalArgumentException().isThrownBy(() -> definition(longest + "n", "default", List.of()))
			.withMessageContaining(SOURCE)
			.withMessageContaining("1 to 200 characters");
	}

	@Test
	void nullNameIsRejected() {
		assertThatNullPointerException().isThrownBy(() -> definition(null, "default", List.of()))
			.withMessage("name");
	}

	@Test
	void blankQueueIsRejectedNamingTheTask() {
		assertThatIllegalArgumentException().isThrownBy(() -> TaskDefinition.of("t", NOTHING).withQueue(""))
			.withMessageContaining("Queue of task 't'")
			.withMessageContaining("1 to 100 characters");
	}

	@Test
	void queueOfMaxLengthIsAcceptedAndOneLongerIsRejected() {
		String longest = "q".repeat(100);

		assertThat(TaskDefinition.of("t", NOTHING).withQueue(longest).queue()).isEqualTo(longest);
		assertThatIllegalArgumentException().isThrownBy(() -> TaskDefinition.of("t", NOTHING).withQueue(longest + "q"))
			.withMessageContaining("Queue of task 't'");
	}

	@Test
	void negativeRetriesAreRejectedNamingTheTaskAndSource() {
		assertThatIllegalArgumentException().isThrownBy(() -> definition("t", "default", List.of()).withRetries(-1))
			.withMessageContaining("'t'")
			.withMessageContaining(SOURCE)
			.withMessageContaining("must be 0 to 10000, got -1");
	}

	@Test
	void retriesBeyondTheBoundAreRejectedWithoutOverflow() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> definition("t", "default", List.of()).withRetries(Integer.MAX_VALUE))
			.withMessageContaining("must be 0 to 10000, got 2147483647");
	}

	@Test
	void zeroRetriesMeanOneAttempt() {
		assertThat(TaskDefinition.of("t", NOTHING).withRetries(0).maxAttempts()).isEqualTo(1);
	}

	@Test
	void negativeDelayIsRejected() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> definition("t", "default", List.of()).withDelay(Duration.ofMillis(-1)))
			.withMessageContaining("Delay of task 't' (" + SOURCE + ")")
			.withMessageContaining("PT-0.001S");
	}

	@Test
	void zeroDelayIsAccepted() {
		assertThat(TaskDefinition.of("t", NOTHING).withDelay(Duration.ZERO).delay()).isZero();
	}

	@Test
	void zeroTtlIsRejected() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> definition("t", "default", List.of()).withTtl(Duration.ZERO))
			.withMessageContaining("TTL of task 't' (" + SOURCE + ") must be positive");
	}

	@Test
	void negativeTtlIsRejected() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TaskDefinition.of("t", NOTHING).withTtl(Duration.ofSeconds(-1)))
			.withMessageContaining("must be positive: PT-1S");
	}

	private static TaskDefinition definition(String name, String queue, List<TaskParameter> parameters) {
		return new TaskDefinition(name, queue, parameters, Void.class, 1, Duration.ZERO, null, null, false, List.of(), null, SOURCE,
				NOTHING);
	}

}
