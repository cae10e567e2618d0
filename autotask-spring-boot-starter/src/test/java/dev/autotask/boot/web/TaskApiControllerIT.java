package dev.autotask.boot.web;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import com.jayway.jsonpath.JsonPath;
import dev.autotask.TaskHandle;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.boot.testsupport.ApplicationDatabase;
import dev.autotask.boot.testsupport.TaskApi;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.web.context.WebApplicationContext;

import static dev.autotask.boot.testsupport.TaskApi.TASKS;
import static dev.autotask.boot.testsupport.TaskApi.admin;
import static dev.autotask.boot.testsupport.TaskApi.id;
import static dev.autotask.boot.testsupport.TaskApi.mockMvc;
import static dev.autotask.boot.testsupport.TaskApi.startRequest;
import static dev.autotask.boot.testsupport.TaskWaits.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The REST API in a Boot application on a real PostgreSQL, called by an admin: start by
 * name, follow to the result, owners, and every refusal as a problem detail that inserts
 * nothing. Security itself is {@link TaskApiSecurityIT}'s subject.
 */
@SpringBootTest(classes = TaskApiControllerIT.Config.class,
		properties = { "autotask.poll-interval=1m", "spring.application.name=shop" })
class TaskApiControllerIT {

	@RegisterExtension
	@ApplicationDatabase
	static final PostgresExtension postgres = PostgresExtension.empty();

	private final MockMvc mvc;

	private final TaskRows rows = new TaskRows(postgres);

	TaskApiControllerIT(@Autowired WebApplicationContext context) {
		this.mvc = mockMvc(context);
	}

	@Test
	void startsATaskWithArgumentsByNameAndShowsItReachingSuccessWithItsResult() throws Exception {
		MvcResult started = this.mvc
			.perform(startRequest("{\"name\": \"reports.rebuild\", "
					+ "\"args\": {\"customerId\": 42, \"range\": {\"from\": 1, \"to\": 10}}}"))
			.andExpect(status().isAccepted())
			.andExpect(content().contentType(MediaType.APPLICATION_JSON))
			.andExpect(jsonPath("$.status").value("PENDING"))
			.andReturn();
		long id = id(started);
		assertThat(started.getResponse().getHeader("Location")).isEqualTo(TASKS + "/" + id);
		assertThat((String) JsonPath.read(started.getResponse().getContentAsString(), "$.statusUrl"))
			.isEqualTo(TASKS + "/" + id);

		awaitStatus(this.rows, id, "SUCCESS");
		this.mvc.perform(read(get(TASKS + "/" + id)))
			.andExpect(status().isOk())
			.andExpect(content().contentType(MediaType.APPLICATION_JSON))
			.andExpect(jsonPath("$.id").value(id))
			.andExpect(jsonPath("$.name").value("reports.rebuild"))
			.andExpect(jsonPath("$.queue").value("reports"))
			.andExpect(jsonPath("$.owner").value("tenant-a"))
			.andExpect(jsonPath("$.args[0]").value(42))
			.andExpect(jsonPath("$.args[1].to").value(10))
			.andExpect(jsonPath("$.result.customerId").value(42))
			.andExpect(jsonPath("$.result.rows").value(10))
			.andExpect(jsonPath("$.error").isEmpty())
			.andExpect(jsonPath("$.attempt").value(1))
			.andExpect(jsonPath("$.attemptErrors").isArray())
			.andExpect(jsonPath("$.attemptErrors").isEmpty())
			.andExpect(jsonPath("$.maxAttempts").value(3))
			.andExpect(jsonPath("$.createdAt").isString())
			.andExpect(jsonPath("$.finishedAt").isString());
	}

	@Test
	void takesArgumentsByPositionToo() throws Exception {
		long id = startTask("{\"name\": \"reports.rebuild\", \"args\": [7, {\"from\": 1, \"to\": 2}]}", "tenant-a");

		awaitStatus(this.rows, id, "SUCCESS");
		this.mvc.perform(read(get(TASKS + "/" + id))).andExpect(jsonPath("$.result.rows").value(2));
	}

	@Test
	void startsATaskWithoutArguments() throws Exception {
		long id = startTask("{\"name\": \"reports.touch\"}", "tenant-a");

		awaitStatus(this.rows, id, "SUCCESS");
		this.mvc.perform(read(get(TASKS + "/" + id))).andExpect(jsonPath("$.args").isEmpty());
	}

	@Test
	void anotherOwnersTaskLooksExactlyLikeAnUnknownOne() throws Exception {
		long id = startTask("{\"name\": \"reports.touch\"}", "tenant-a");

		String otherOwner = this.mvc.perform(read(get(TASKS + "/" + id)).header("X-Tenant", "tenant-b"))
			.andExpect(status().isNotFound())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andReturn()
			.getResponse()
			.getContentAsString();
		String unknown = this.mvc.perform(read(get(TASKS + "/" + (id + 1000))))
			.andExpect(status().isNotFound())
			.andReturn()
			.getResponse()
			.getContentAsString();
		assertThat(otherOwner.replace(String.valueOf(id), "ID"))
			.isEqualTo(unknown.replace(String.valueOf(id + 1000), "ID"));
		this.mvc.perform(read(get(TASKS + "/" + id)).header("X-Tenant", "tenant-a")).andExpect(status().isOk());
	}

	@Test
	void idThatIsNotANumberIsABadRequest() throws Exception {
		this.mvc.perform(read(get(TASKS + "/abc")))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.detail").value("A task id is a whole number"));
	}

	@Test
	void ownerResolverThatNamesNoOwnerRefusesTheRequest() throws Exception {
		long before = this.rows.count();
		this.mvc.perform(startRequest("{\"name\": \"reports.touch\"}").header("X-Tenant", ""))
			.andExpect(status().isForbidden())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON));
		assertThat(this.rows.count()).isEqualTo(before);
	}

	@Test
	void listsTheRegisteredTasks() throws Exception {
		this.mvc.perform(read(get("/autotask/api/task-types")))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$[0].name").value("reports.rebuild"))
			.andExpect(jsonPath("$[0].queue").value("reports"))
			.andExpect(jsonPath("$[0].maxAttempts").value(3))
			.andExpect(jsonPath("$[0].parameters[0].name").value("customerId"))
			.andExpect(jsonPath("$[0].parameters[0].type").value("long"))
			.andExpect(jsonPath("$[0].parameters[1].name").value("range"))
			.andExpect(jsonPath("$[0].parameters[1].type").value("TaskApiControllerIT.Range"))
			.andExpect(jsonPath("$[1].name").value("reports.touch"))
			.andExpect(jsonPath("$[1].parameters").isEmpty())
			.andExpect(jsonPath("$[2].name").value("reports.weigh"));
	}

	static Stream<Arguments> badRequests() {
		String longName = "x".repeat(10_000);
		String deepArray = "[".repeat(10_000) + "]".repeat(10_000);
		String deepObject = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
		return Stream.of(
				Arguments.of("args nested 10,000 arrays deep",
						"{\"name\": \"reports.touch\", \"args\": " + deepArray + "}", MediaType.APPLICATION_JSON, 400,
						"nesting depth"),
				Arguments.of("args nested 10,000 objects deep",
						"{\"name\": \"reports.touch\", \"args\": {\"x\": " + deepObject + "}}", MediaType.APPLICATION_JSON,
						400, "nesting depth"),
				Arguments.of("name with SQL", "{\"name\": \"reports.touch'; DROP TABLE autotask_task; --\"}",
						MediaType.APPLICATION_JSON, 400, "No task is named 'reports.touch'; DROP TABLE autotask_task; --'"),
				Arguments.of("name with HTML", "{\"name\": \"<script>alert(1)</script>\"}", MediaType.APPLICATION_JSON,
						400, "No task is named '<script>alert(1)</script>'"),
				Arguments.of("malformed JSON", "{\"name\": \"reports.touch\",", MediaType.APPLICATION_JSON, 400,
						"not valid JSON"),
				Arguments.of("empty body", "", MediaType.APPLICATION_JSON, 400, "must be a JSON object"),
				Arguments.of("not an object", "[\"reports.touch\"]", MediaType.APPLICATION_JSON, 400,
						"must be a JSON object"),
				Arguments.of("missing name", "{\"args\": []}", MediaType.APPLICATION_JSON, 400,
						"Field 'name' is required"),
				Arguments.of("name not a string", "{\"name\": 5}", MediaType.APPLICATION_JSON, 400,
						"Field 'name' is required"),
				Arguments.of("duplicate name", "{\"name\": \"reports.touch\", \"name\": \"reports.rebuild\"}",
						MediaType.APPLICATION_JSON, 400, "not valid JSON"),
				Arguments.of("unknown field", "{\"name\": \"reports.touch\", \"owner\": \"tenant-b\"}",
						MediaType.APPLICATION_JSON, 400, "Unknown field 'owner'"),
				Arguments.of("unknown name", "{\"name\": \"reports.nope\"}", MediaType.APPLICATION_JSON, 400,
						"No task is named 'reports.nope'"),
				Arguments.of("long unknown name", "{\"name\": \"" + longName + "\"}", MediaType.APPLICATION_JSON, 400,
						"No task is named '" + "x".repeat(200) + "…'"),
				Arguments.of("args neither array nor object", "{\"name\": \"reports.touch\", \"args\": \"none\"}",
						MediaType.APPLICATION_JSON, 400, "Field 'args' must be a JSON array"),
				Arguments.of("wrong argument type",
						"{\"name\": \"reports.rebuild\", "
								+ "\"args\": {\"customerId\": \"abc\", \"range\": {\"from\": 1, \"to\": 2}}}",
						MediaType.APPLICATION_JSON, 400, "Argument 'customerId' of task 'reports.rebuild'"),
				Arguments.of("wrong nested type",
						"{\"name\": \"reports.rebuild\", \"args\": [1, {\"from\": \"one\", \"to\": 2}]}",
						MediaType.APPLICATION_JSON, 400, "Argument 'range' of task 'reports.rebuild' does not fit "
								+ "TaskApiControllerIT.Range: Cannot coerce String value (\"one\") to `int`"),
				Arguments.of("argument refused by its type",
						"{\"name\": \"reports.rebuild\", \"args\": [1, {\"from\": 3, \"to\": 1}]}",
						MediaType.APPLICATION_JSON, 400, "from must not be after to"),
				Arguments.of("missing argument", "{\"name\": \"reports.rebuild\", \"args\": {\"customerId\": 1}}",
						MediaType.APPLICATION_JSON, 400, "missing argument 'range'"),
				Arguments.of("too few arguments", "{\"name\": \"reports.rebuild\", \"args\": [1]}",
						MediaType.APPLICATION_JSON, 400,
						"takes 2 argument(s) [long customerId, TaskApiControllerIT.Range range], got 1"),
				Arguments.of("too many arguments", "{\"name\": \"reports.touch\", \"args\": [1]}",
						MediaType.APPLICATION_JSON, 400, "takes 0 argument(s)"),
				Arguments.of("number beyond a double's range", "{\"name\": \"reports.weigh\", \"args\": [1e400]}",
						MediaType.APPLICATION_JSON, 400, "Argument 'grams' of task 'reports.weigh' does not fit double"),
				Arguments.of("negative number beyond a double's range",
						"{\"name\": \"reports.weigh\", \"args\": {\"grams\": -1e400}}", MediaType.APPLICATION_JSON, 400,
						"Argument 'grams' of task 'reports.weigh' does not fit double"),
				Arguments.of("integer beyond a long's range",
						"{\"name\": \"reports.rebuild\", \"args\": [9223372036854775808, {\"from\": 1, \"to\": 2}]}",
						MediaType.APPLICATION_JSON, 400, "Argument 'customerId' of task 'reports.rebuild' does not fit long"),
				Arguments.of("integer beyond an int's range, nested",
						"{\"name\": \"reports.rebuild\", \"args\": [1, {\"from\": 1, \"to\": 2147483648}]}",
						MediaType.APPLICATION_JSON, 400, "Argument 'range' of task 'reports.rebuild' does not fit"),
				Arguments.of("NaN spelled as a string", "{\"name\": \"reports.weigh\", \"args\": [\"NaN\"]}",
						MediaType.APPLICATION_JSON, 400, "Argument 'grams' of task 'reports.weigh' does not fit double"),
				Arguments.of("Infinity spelled as a string",
						"{\"name\": \"reports.weigh\", \"args\": [\"Infinity\"]}", MediaType.APPLICATION_JSON, 400,
						"Argument 'grams' of task 'reports.weigh' does not fit double"),
				Arguments.of("70KB body",
						"{\"name\": \"reports.touch\", \"args\": [\"" + "y".repeat(70 * 1024) + "\"]}",
						MediaType.APPLICATION_JSON, 413, "larger than 65536 bytes"),
				Arguments.of("not JSON", "name=reports.touch", MediaType.APPLICATION_FORM_URLENCODED, 415,
						"must be JSON"),
				Arguments.of("text/plain", "{\"name\": \"reports.touch\"}", MediaType.TEXT_PLAIN, 415, "must be JSON"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badRequests")
	void badRequestIsAProblemDetailAndInsertsNothing(String description, String body, MediaType type, int status,
			String detail) throws Exception {
		long before = this.rows.count();

		String response = this.mvc
			.perform(post(TASKS).with(admin())
				.with(csrf())
				.header("X-Tenant", "tenant-a")
				.contentType(type)
				.content(body))
			.andExpect(status().is(status))
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.status").value(status))
			.andExpect(jsonPath("$.detail", containsString(detail)))
			.andReturn()
			.getResponse()
			.getContentAsString();

		assertThat(response)
			.doesNotContain("Exception", "at dev.", "at java.", "SQL", "jackson", "dev.autotask", "java.")
			.hasSizeLessThan(1000);
		assertThat(this.rows.count()).isEqualTo(before);
	}

	static Stream<Arguments> malformedUtf8() {
		return Stream.of(Arguments.of("overlong '.' in two bytes", new byte[] { (byte) 0xC0, (byte) 0xAE }, 17),
				Arguments.of("overlong '.' in three bytes", new byte[] { (byte) 0xE0, (byte) 0x80, (byte) 0xAE }, 17),
				Arguments.of("lone continuation byte", new byte[] { (byte) 0xAE }, 17),
				Arguments.of("truncated sequence", new byte[] { (byte) 0xE2, (byte) 0x82 }, 17),
				Arguments.of("UTF-16 surrogate", new byte[] { (byte) 0xED, (byte) 0xA0, (byte) 0x80 }, 17),
				Arguments.of("byte never in UTF-8", new byte[] { (byte) 0xFF }, 17));
	}

	/**
	 * The bytes go as they are: MockMvc hands the controller the request body without
	 * decoding it, as the container does.
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("malformedUtf8")
	void bodyThatIsNotValidUtf8IsRefusedAndNothingRuns(String description, byte[] malformed, int offset)
			throws Exception {
		long before = this.rows.count();
		byte[] body = concat("{\"name\": \"reports".getBytes(StandardCharsets.US_ASCII), malformed,
				"touch\"}".getBytes(StandardCharsets.US_ASCII));

		this.mvc.perform(post(TASKS).with(admin()).with(csrf()).contentType(MediaType.APPLICATION_JSON).content(body))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.detail")
				.value("The request body is not valid UTF-8: malformed bytes at offset " + offset));

		assertThat(this.rows.count()).isEqualTo(before);
	}

	@Test
	void validUtf8IsReadAsItStandsAndAByteOrderMarkIsSkipped() throws Exception {
		this.mvc
			.perform(startRequest("{\"name\": \"reports.t\u00f6uch \ud83d\ude80\"}").header("X-Tenant", "tenant-a"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.detail", containsString("No task is named 'reports.t\u00f6uch \ud83d\ude80'")));

		byte[] withMark = concat(new byte[] { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF },
				"{\"name\": \"reports.touch\"}".getBytes(StandardCharsets.UTF_8));
		this.mvc.perform(post(TASKS).with(admin()).with(csrf()).contentType(MediaType.APPLICATION_JSON).content(withMark))
			.andExpect(status().isAccepted());
	}

	private static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			out.writeBytes(part);
		}
		return out.toByteArray();
	}

	@Test
	void fiftyMegabyteBodyIsRefusedByItsLengthWithoutBeingRead() throws Exception {
		long before = this.rows.count();
		byte[] body = ("{\"name\": \"reports.touch\", \"args\": [\"" + "y".repeat(50 * 1024 * 1024) + "\"]}")
			.getBytes(StandardCharsets.UTF_8);

		MvcResult result = this.mvc
			.perform(post(TASKS).with(admin())
				.with(csrf())
				.header("X-Tenant", "tenant-a")
				.contentType(MediaType.APPLICATION_JSON)
				.content(body))
			.andExpect(status().isPayloadTooLarge())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.detail").value("The request body is larger than 65536 bytes (autotask.ui.max-body-size)"))
			.andReturn();

		// Refused on its Content-Length: not one byte of it was read, let alone buffered.
		assertThat(result.getRequest().getInputStream().readAllBytes()).hasSize(body.length);
		assertThat(this.rows.count()).isEqualTo(before);
	}

	@Test
	void hostileNameIsEchoedOnlyAsJsonThatNoBrowserRendersAsHtml() throws Exception {
		long before = this.rows.count();
		this.mvc
			.perform(startRequest("{\"name\": \"<img src=x onerror=alert(1)>\"}").header("X-Tenant", "tenant-a"))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(header().string("X-Content-Type-Options", "nosniff"));
		// The SQL in a name is a name like any other: the table is still there, and empty.
		this.mvc
			.perform(startRequest("{\"name\": \"x'); DELETE FROM autotask_task; --\"}").header("X-Tenant", "tenant-a"))
			.andExpect(status().isBadRequest());
		assertThat(this.rows.count()).isEqualTo(before);
	}

	private long startTask(String body, String tenant) throws Exception {
		return id(this.mvc.perform(startRequest(body).header("X-Tenant", tenant))
			.andExpect(status().isAccepted())
			.andExpect(header().exists("Location"))
			.andReturn());
	}

	private static MockHttpServletRequestBuilder read(MockHttpServletRequestBuilder request) {
		return request.with(admin());
	}

	public record Range(int from, int to) {

		public Range {
			if (from > to) {
				throw new IllegalArgumentException("from must not be after to");
			}
		}

	}

	public record Summary(long customerId, int rows) {
	}

	public static class Reports {

		@DelayedTask(queue = "reports", retries = 2)
		public TaskHandle<Summary> rebuild(long customerId, Range range) {
			return TaskHandle.completed(new Summary(customerId, range.to() - range.from() + 1));
		}

		@DelayedTask
		public void touch() {
		}

		@DelayedTask
		public void weigh(double grams) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class Config {

		@Bean
		Reports reports() {
			return new Reports();
		}

		/** Two tenants, told apart by a header; tenant-a when it is missing. */
		@Bean
		OwnerResolver ownerResolver() {
			return TaskApi.tenantHeader("tenant-a");
		}

	}

}
