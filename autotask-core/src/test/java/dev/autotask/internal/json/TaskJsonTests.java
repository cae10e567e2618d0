package dev.autotask.internal.json;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.Type;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;

import dev.autotask.TaskError;
import dev.autotask.TaskFailure;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link TaskJson}. The tasks take their parameters from the signatures below, the
 * way the starter reads them from a {@code @DelayedTask} method.
 */
class TaskJsonTests {

	private static final Instant AT = Instant.parse("2024-02-29T12:34:56.123456789Z");

	private static final LocalDate DAY = LocalDate.of(2024, 2, 29);

	private final TaskJson json = new TaskJson();

	@Test
	void primitivesAndStringsRoundTrip() {
		TaskDefinition task = task("primitives");

		String stored = this.json.writeArgs(task, new Object[] { 3, 42L, 0.5, true, "Ada" });

		assertThat(stored).isEqualTo("[3,42,0.5,true,\"Ada\"]");
		assertThat(this.json.readArgs(task, stored)).containsExactly(3, 42L, 0.5, true, "Ada");
	}

	@Test
	void recordsGenericListsAndTimeValuesRoundTrip() {
		TaskDefinition task = task("values");
		List<Range> ranges = List.of(new Range(1, 2), new Range(5, 9));

		String stored = this.json.writeArgs(task, new Object[] { new Range(0, 1), ranges, AT, DAY });

		assertThat(stored).isEqualTo("[{\"from\":0,\"to\":1},[{\"from\":1,\"to\":2},{\"from\":5,\"to\":9}],"
				+ "\"2024-02-29T12:34:56.123456789Z\",\"2024-02-29\"]");
		@Nullable Object[] args = this.json.readArgs(task, stored);
		assertThat(args).containsExactly(new Range(0, 1), ranges, AT, DAY);
		// The list's elements are read as Range, not as maps: the generic type is honoured.
		assertThat((List<?>) args[1]).allSatisfy((element) -> assertThat(element).isInstanceOf(Range.class));
	}

	@Test
	void nullForObjectParametersRoundTrips() {
		TaskDefinition task = task("values");

		String stored = this.json.writeArgs(task, new Object[] { null, null, null, null });

		assertThat(stored).isEqualTo("[null,null,null,null]");
		assertThat(this.json.readArgs(task, stored)).containsExactly(null, null, null, null);
	}

	@Test
	void nullForPrimitiveParameterIsRejectedNamingIt() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.json.writeArgs(task("pair"), new Object[] { 1, null }))
			.withMessageContaining("Argument 'b' of task 'pair'")
			.withMessageContaining("read back as int");
	}

	@Test
	void wrongArgumentCountIsRejectedListingTheParameters() {
		TaskDefinition task = task("pair");

		assertThatIllegalArgumentException().isThrownBy(() -> this.json.writeArgs(task, new Object[] { 1 }))
			.withMessage("Task 'pair' takes 2 argument(s) [int a, int b], got 1");
		assertThatIllegalArgumentException().isThrownBy(() -> this.json.writeArgs(task, new Object[] { 1, 2, 3 }))
			.withMessageContaining("got 3");
		assertThatIllegalArgumentException().isThrownBy(() -> this.json.readArgs(task, "[1]"))
			.withMessageContaining("takes 2 argument(s)")
			.withMessageContaining("got 1");
	}

	@Test
	void argumentThatCannotBeReadBackAsItsParameterTypeIsRejectedNamingIt() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.json.writeArgs(task("values"), new Object[] { "not a range", null, null, null }))
			.withMessageContaining("Argument 'range' of task 'values'")
			.withMessageContaining(Range.class.getTypeName());
	}

	@Test
	void checkArgsKeepsAPositionalArray() {
		assertThat(this.json.checkArgs(task("pair"), "[1, 2]")).isEqualTo("[1,2]");
	}

	@Test
	void checkArgsTurnsArgumentsByNameIntoAnArrayInParameterOrder() {
		assertThat(this.json.checkArgs(task("pair"), "{\"b\": 2, \"a\": 1}")).isEqualTo("[1,2]");
	}

	@Test
	void checkArgsByNameReadsGenericTypes() {
		String stored = this.json.checkArgs(task("values"), """
				{"day": "2024-02-29", "at": "2024-02-29T12:34:56.123456789Z",
				 "ranges": [{"from": 1, "to": 2}], "range": null}""");

		assertThat(stored)
			.isEqualTo("[null,[{\"from\":1,\"to\":2}],\"2024-02-29T12:34:56.123456789Z\",\"2024-02-29\"]");
	}

	@Test
	void checkArgsByNameRejectsAMissingName() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.json.checkArgs(task("pair"), "{\"a\": 1}"))
			.withMessage("Task 'pair' is missing argument 'b'");
	}

	@Test
	void checkArgsByNameRejectsAnUnknownNameListingTheParameters() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.json.checkArgs(task("pair"), "{\"a\": 1, \"b\": 2, \"c\": 3}"))
			.withMessage("Task 'pair' has no parameter 'c'; its parameters are [int a, int b]");
	}

	@Test
	void checkArgsRejectsAWrongTypeNamingTheParameter() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.json.checkArgs(task("pair"), "{\"a\": 1, \"b\": \"two\"}"))
			.withMessageStartingWith("Argument 'b' of task 'pair' does not fit int");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.json.checkArgs(task("values"),
					"[null, [{\"from\": 1, \"to\": 2, \"by\": 1}], null, null]"))
			.withMessageStartingWith("Argument 'ranges' of task 'values' does not fit java.util.List<")
			.withMessageContaining("\"by\"");
	}

	@Test
	void numberBeyondTheRangeOfItsParameterIsRejectedNamingIt() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.json.checkArgs(task("measures"), "[1e400, 1, [], {\"x\": 1}]"))
			.withMessageStartingWith("Argument 'ratio' of task 'measures' does not fit double: it is or holds NaN or an "
					+ "infinite number");
		assertThatIllegalArgumentException().isThrownBy(() -> this.json.checkArgs(task("measures"), "[1, 1e39, [], {\"x\": 1}]"))
			.withMessageStartingWith("Argument 'share' of task 'measures' does not fit float");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.json.checkArgs(task("measures"), "[1, 1, [0.5, -1e400], {\"x\": 1}]"))
			.withMessageStartingWith("Argument 'series' of task 'measures' does not fit java.util.List<java.lang.Double>");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.json.checkArgs(task("measures"), "{\"ratio\": 1, \"share\": 1, \"series\": [], "
					+ "\"point\": {\"x\": 1e400}}"))
			.withMessageStartingWith("Argument 'point' of task 'measures' does not fit");
	}

	@Test
	void nanAndInfinityAreNeverStoredHoweverTheyAreSpelled() {
		for (String spelled : new String[] { "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"INF\"" }) {
			assertThatIllegalArgumentException()
				.isThrownBy(() -> this.json.checkArgs(task("measures"), "[" + spelled + ", 1, [], {\"x\": 1}]"))
				.withMessageStartingWith("Argument 'ratio' of task 'measures' does not fit double");
		}
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.json.writeArgs(task("measures"), new Object[] { Double.NaN, 1f, List.of(), 1 }))
			.withMessageStartingWith("Argument 'ratio' of task 'measures'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.json.writeArgs(task("measures"),
					new Object[] { 1.0, 1f, List.of(1.0, Double.POSITIVE_INFINITY), 1 }))
			.withMessageStartingWith("Argument 'series' of task 'measures'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.json.writeArgs(task("measures"),
					new Object[] { 1.0, 1f, List.of(), new Point(Double.NEGATIVE_INFINITY) }))
			.withMessageStartingWith("Argument 'point' of task 'measures'");
	}

	@Test
	void finiteNumbersAtTheEdgesOfTheirRangeAreKept() {
		String stored = this.json.checkArgs(task("measures"), "[1.7976931348623157e308, 3.4e38, [-4.9e-324], {\"x\": 0}]");

		assertThat(this.json.readArgs(task("measures"), stored)).containsExactly(Double.MAX_VALUE, 3.4e38f,
				List.of(-Double.MIN_VALUE), new Point(0));
		// A string parameter keeps the text "NaN" as it is.
		assertThat(this.json.writeArgs(task("labelled"), new Object[] { "NaN" })).isEqualTo("[\"NaN\"]");
	}

	@Test
	void checkArgsRejectsMalformedJson() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.json.checkArgs(task("pair"), "[1, 2"))
			.withMessageStartingWith("Arguments of task 'pair' are not valid JSON");
		assertThatIllegalArgumentException().isThrownBy(() -> this.json.checkArgs(task("pair"), "[1, 2] [3]"))
			.withMessageStartingWith("Arguments of task 'pair' are not valid JSON");
	}

	@Test
	void checkArgsRejectsATopLevelScalar() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.json.checkArgs(task("pair"), "42"))
			.withMessage("Arguments of task 'pair' must be a JSON array (by position) or object (by parameter name),"
					+ " got NUMBER");
		assertThatIllegalArgumentException().isThrownBy(() -> this.json.checkArgs(task("pair"), "\"1, 2\""))
			.withMessageEndingWith("got STRING");
		assertThatIllegalArgumentException().isThrownBy(() -> this.json.checkArgs(task("pair"), "null"))
			.withMessageEndingWith("got NULL");
	}

	@Test
	void readArgsRejectsAValueOfAChangedTypeNamingTheParameter() {
		// Each stored value fitted the signature it was enqueued with, but not the current one.
		assertThatIllegalArgumentException().isThrownBy(() -> this.json.readArgs(task("pair"), "[\"forty-two\", 2]"))
			.withMessageStartingWith("Argument 'a' of task 'pair' does not fit int");
		assertThatIllegalArgumentException().isThrownBy(() -> this.json.readArgs(task("pair"), "[1, 9999999999]"))
			.withMessageStartingWith("Argument 'b' of task 'pair' does not fit int");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.json.readArgs(task("values"), "[[{\"from\": 1, \"to\": 2}], null, null, null]"))
			.withMessageStartingWith("Argument 'range' of task 'values' does not fit " + Range.class.getTypeName());
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.json.readArgs(task("values"),
					"[{\"from\": 1, \"to\": 2, \"label\": \"x\"}, null, null, null]"))
			.withMessageStartingWith("Argument 'range' of task 'values'")
			.withMessageContaining("label");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.json.readArgs(task("values"), "[null, null, \"yesterday\", null]"))
			.withMessageStartingWith("Argument 'at' of task 'values' does not fit java.time.Instant");
	}

	@Test
	void readArgsRejectsStoredJsonThatIsNotJson() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.json.readArgs(task("pair"), "[1,"))
			.withMessage("Stored arguments of task 'pair' are not valid JSON");
	}

	@Test
	void resultsRoundTripWithTheirDeclaredType() throws Exception {
		TaskDefinition task = task("pair");
		Type rangesType = TaskJsonTests.class.getDeclaredMethod("ranges").getGenericReturnType();
		List<Range> ranges = List.of(new Range(1, 2));

		assertThat(this.json.writeResult(task, "done")).isEqualTo("\"done\"");
		assertThat(this.json.<String>readResult("\"done\"", String.class)).isEqualTo("done");
		assertThat(this.json.<Range>readResult(this.json.writeResult(task, new Range(3, 4)), Range.class))
			.isEqualTo(new Range(3, 4));
		assertThat(this.json.<List<Range>>readResult(this.json.writeResult(task, ranges), rangesType))
			.containsExactly(new Range(1, 2))
			.allSatisfy((element) -> assertThat(element).isInstanceOf(Range.class));
		assertThat(this.json.<Instant>readResult(this.json.writeResult(task, AT), Instant.class)).isEqualTo(AT);
	}

	@Test
	void noResultIsStoredAndReadAsNull() {
		assertThat(this.json.writeResult(task("pair"), null)).isNull();
		assertThat(this.json.<String>readResult(null, String.class)).isNull();
		assertThat(this.json.<Object>readResult("\"ignored\"", Void.class)).isNull();
		assertThat(this.json.<Object>readResult("\"ignored\"", void.class)).isNull();
	}

	@Test
	void resultThatCannotBeWrittenIsRejectedNamingTheTaskAndType() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.json.writeResult(task("pair"), new Object()))
			.withMessageStartingWith("Result of task 'pair' (java.lang.Object) cannot be written as JSON");
	}

	@Test
	void describeKeepsTypeMessageAndStackTrace() {
		TaskError error = TaskJson.describe(new IllegalStateException("boom"), true);

		assertThat(error.type()).isEqualTo("java.lang.IllegalStateException");
		assertThat(error.message()).isEqualTo("boom");
		assertThat(error.stackTrace()).startsWith("java.lang.IllegalStateException: boom")
			.contains("TaskJsonTests.describeKeepsTypeMessageAndStackTrace")
			.doesNotContain("(cut)");
	}

	@Test
	void describeWithoutStackTraceKeepsTypeAndMessage() {
		TaskError error = TaskJson.describe(new TaskFailure("customer 42 has no billing address"), false);

		assertThat(error)
			.isEqualTo(new TaskError(TaskFailure.class.getName(), "customer 42 has no billing address", null));
	}

	@Test
	void describeKeepsAStackTraceOfExactlyTheLimit() {
		String stackTrace = TaskJson.describe(exceptionWithStackTraceOf(TaskJson.MAX_STACK_TRACE), true).stackTrace();

		assertThat(stackTrace).hasSize(TaskJson.MAX_STACK_TRACE).doesNotContain("(cut)");
	}

	@Test
	void describeCutsAStackTraceLongerThanTheLimit() {
		String stackTrace = TaskJson.describe(exceptionWithStackTraceOf(TaskJson.MAX_STACK_TRACE + 1), true)
			.stackTrace();

		assertThat(stackTrace).hasSize(TaskJson.MAX_STACK_TRACE + "\n\t... (cut)".length())
			.startsWith("java.lang.IllegalStateException: xxx")
			.endsWith("\n\t... (cut)");
	}

	@Test
	void describeCutsADeepStackTraceKeepingItsHead() {
		IllegalStateException ex = new IllegalStateException("deep");
		StackTraceElement[] frames = new StackTraceElement[5000];
		Arrays.setAll(frames, (i) -> new StackTraceElement("dev.example.Recursive", "call" + i, "Recursive.java", i));
		ex.setStackTrace(frames);

		TaskError error = TaskJson.describe(ex, true);

		assertThat(error.message()).isEqualTo("deep");
		assertThat(error.stackTrace()).hasSize(TaskJson.MAX_STACK_TRACE + "\n\t... (cut)".length())
			.startsWith("java.lang.IllegalStateException: deep")
			.contains("dev.example.Recursive.call0(Recursive.java:0)")
			.doesNotContain("call4999")
			.endsWith("... (cut)");
	}

	@Test
	void errorRoundTrips() {
		TaskError error = new TaskError("com.example.BillingException", "no \"address\"\nfor customer 42 – ünïcödé",
				"com.example.BillingException: ...\n\tat com.example.Billing.charge(Billing.java:42)");

		String stored = this.json.writeError(error);

		assertThat(this.json.readError(stored)).isEqualTo(error);
	}

	@Test
	void errorWithoutMessageOrStackTraceRoundTrips() {
		TaskError error = new TaskError(NullPointerException.class.getName(), null, null);

		String stored = this.json.writeError(error);

		assertThat(stored)
			.isEqualTo("{\"type\":\"java.lang.NullPointerException\",\"message\":null,\"stackTrace\":null}");
		assertThat(this.json.readError(stored)).isEqualTo(error);
		assertThat(this.json.readError("{\"type\":\"java.lang.NullPointerException\"}")).isEqualTo(error);
	}

	@Test
	void noErrorIsReadAsNull() {
		assertThat(this.json.readError(null)).isNull();
	}

	@Test
	void describedErrorSurvivesTheRoundTrip() {
		TaskError error = TaskJson.describe(new IllegalArgumentException(), true);

		assertThat(this.json.readError(this.json.writeError(error))).isEqualTo(error);
	}

	/**
	 * An exception whose printed stack trace is exactly {@code length} characters: its
	 * {@code toString()} and a line separator, with no frames.
	 */
	private static IllegalStateException exceptionWithStackTraceOf(int length) {
		String head = IllegalStateException.class.getName() + ": ";
		String message = "x".repeat(length - head.length() - System.lineSeparator().length());
		IllegalStateException ex = new IllegalStateException(message);
		ex.setStackTrace(new StackTraceElement[0]);
		return ex;
	}

	private static TaskDefinition task(String methodName) {
		Method method = Arrays.stream(TaskJsonTests.class.getDeclaredMethods())
			.filter((candidate) -> candidate.getName().equals(methodName))
			.findFirst()
			.orElseThrow();
		Parameter[] parameters = method.getParameters();
		TaskParameter[] taskParameters = new TaskParameter[parameters.length];
		for (int i = 0; i < parameters.length; i++) {
			taskParameters[i] = new TaskParameter(parameters[i].getName(), parameters[i].getParameterizedType());
		}
		return TaskDefinition.of(methodName, (args) -> null, taskParameters);
	}

	// The signatures of the tasks above; the compiler keeps their parameter names (-parameters).

	static void primitives(int count, long id, double ratio, boolean dryRun, String label) {
	}

	static void values(Range range, List<Range> ranges, Instant at, LocalDate day) {
	}

	static void pair(int a, int b) {
	}

	static void measures(double ratio, float share, List<Double> series, Point point) {
	}

	static void labelled(String label) {
	}

	static List<Range> ranges() {
		return List.of();
	}

	record Range(int from, int to) {
	}

	record Point(double x) {
	}

}
