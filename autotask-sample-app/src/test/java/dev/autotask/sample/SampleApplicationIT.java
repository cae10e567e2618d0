package dev.autotask.sample;

import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.autotask.boot.testsupport.ApplicationDatabase;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.security.core.userdetails.UserDetailsService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample over HTTP, as its README shows: start a task, watch it go PENDING, RUNNING,
 * SUCCESS. And as a hostile caller would try it: its open endpoints refuse bad or unbounded
 * arguments, hide tasks started behind the admin login, and stop long tasks on cancel; no
 * password is known in advance.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "autotask.retry-delay=50ms")
class SampleApplicationIT {

	@RegisterExtension
	@ApplicationDatabase
	static final PostgresExtension postgres = PostgresExtension.empty();

	private final HttpClient http = HttpClient.newHttpClient();

	private final JsonMapper json = new JsonMapper();

	@Value("${local.server.port}")
	int port;

	/**
	 * The users' passwords, generated at start (none is configured here). Read from the
	 * application's users before the first login, which re-encodes them with BCrypt.
	 */
	private static final Map<String, String> passwords = new ConcurrentHashMap<>();

	@Autowired
	UserDetailsService users;

	@BeforeEach
	void readGeneratedPasswords() {
		for (String user : List.of("admin", "viewer")) {
			passwords.computeIfAbsent(user,
					(name) -> this.users.loadUserByUsername(name).getPassword().substring("{noop}".length()));
		}
	}

	@Test
	void reportGoesPendingRunningSuccessWithItsResult() throws Exception {
		JsonNode started = post("/reports/42?rows=1500");
		assertThat(started.get("status").asString()).isEqualTo("PENDING");
		String statusUrl = started.get("statusUrl").asString();
		Set<String> seen = new LinkedHashSet<>();
		seen.add("PENDING");

		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
			seen.add(get(statusUrl).get("status").asString());
			return seen.contains("SUCCESS");
		});

		assertThat(seen).containsSubsequence("PENDING", "RUNNING", "SUCCESS");
		assertThat(get(statusUrl).get("result").asString()).startsWith("\"rebuilt 1500 rows for customer 42");
	}

	@Test
	void invoiceWithoutBillingAddressFailsAtOnceWithItsMessage() throws Exception {
		String statusUrl = post("/invoices/7").get("statusUrl").asString();

		await().atMost(Duration.ofSeconds(20)).until(() -> "FAILURE".equals(get(statusUrl).get("status").asString()));
		JsonNode task = get(statusUrl);
		assertThat(task.get("attempt").asInt()).isEqualTo(1);
		assertThat(task.get("error").get("message").asString()).isEqualTo("customer 7 has no billing address");
	}

	@Test
	void flakyPartnerSyncIsRetriedUntilItSucceeds() throws Exception {
		String statusUrl = post("/partner-sync?failureRate=0.5").get("statusUrl").asString();

		await().atMost(Duration.ofSeconds(20)).until(() -> get(statusUrl).get("status").asString().matches("SUCCESS|FAILURE"));
		JsonNode task = get(statusUrl);
		// With 6 attempts at 50% each, the chance of failing all is 1.6%; either way it ended visibly.
		assertThat(task.get("attempt").asInt()).isBetween(1, 6);
	}

	@Test
	void recurringTasksShowTheirScheduleAndThePeriodicOneRunsAtStartUp() throws Exception {
		JsonNode schedules = get("/schedules");
		assertThat(schedules).hasSize(2);
		assertThat(schedules.get(0).get("task").asString()).isEqualTo("housekeepingTasks.morningDigest");
		assertThat(schedules.get(0).get("schedule").asString()).isEqualTo("15,30 7 * * MON-FRI Europe/Stockholm");
		assertThat(schedules.get(0).get("lastFire").isNull()).as("a schedule that never fired has no last fire").isTrue();
		await().atMost(Duration.ofSeconds(20))
			.until(() -> !get("/schedules").get(1).get("lastFire").isNull());
	}

	@Test
	void customerSyncIsUniqueWhilePendingAndCanBeCancelledWhileRunning() throws Exception {
		JsonNode first = post("/customers/7/sync");
		JsonNode second = post("/customers/7/sync");
		assertThat(second.get("id").asLong()).isEqualTo(first.get("id").asLong());
		String statusUrl = first.get("statusUrl").asString();
		await().atMost(Duration.ofSeconds(20)).until(() -> !get(statusUrl).get("progress").isNull());

		assertThat(post("/tasks/" + first.get("id").asLong() + "/cancel").asString()).isEqualTo("RUNNING");

		// It stopped because it was asked to: cancelled, with what it returned.
		await().atMost(Duration.ofSeconds(20))
			.until(() -> "CANCELLED".equals(get(statusUrl).get("status").asString()));
		assertThat(get(statusUrl).get("result").asString()).contains("stopped after");
	}

	@Test
	void primesAreCountedInChunksAndTheImportContinuesItselfPageByPage() throws Exception {
		String primes = post("/primes?below=1000000").get("statusUrl").asString();
		long feed = post("/feed-import?pages=4").get("id").asLong();

		await().atMost(Duration.ofSeconds(60)).until(() -> "SUCCESS".equals(get(primes).get("status").asString()));
		assertThat(get(primes).get("result").asString()).isEqualTo("78498");
		assertThat(get(primes).get("progress").asString()).contains("\"done\": 10");
		await().atMost(Duration.ofSeconds(20)).until(() -> get("/tasks/" + feed + "/chain").size() == 4
				&& "SUCCESS".equals(get("/tasks/" + feed + "/chain").get(3).get("status").asString()));
		assertThat(get("/tasks/" + feed + "/chain").get(3).get("result").asString()).isEqualTo("\"imported 4 pages\"");
		await().atMost(Duration.ofSeconds(20))
			.until(() -> get("/events").toString().contains(feed + " catalogTasks.importFeed SUCCESS"));
	}

	@Test
	void unknownTaskIdIsNotFound() throws Exception {
		HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(uri("/tasks/999999")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(404);
	}

	@Test
	void actuatorShowsAutotasksHealthEndpointAndMetersToItsUsersOnly() throws Exception {
		String statusUrl = post("/reports/3?rows=1").get("statusUrl").asString();
		await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCESS".equals(get(statusUrl).get("status").asString()));

		assertThat(actuator("/actuator/autotask", null).statusCode()).isEqualTo(401);
		assertThat(actuator("/actuator/health", null).statusCode()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			JsonNode health = this.json.readTree(actuator("/actuator/health", credentials("viewer")).body());
			assertThat(health.at("/components/autotask/status").asString()).isEqualTo("UP");
		});
		JsonNode autotask = this.json.readTree(actuator("/actuator/autotask", credentials("viewer")).body());
		assertThat(autotask.get("leader").asString()).isNotEmpty();
		assertThat(autotask.get("nodes").size()).isEqualTo(1);
		assertThat(autotask.get("queues").toString()).contains("\"name\":\"reports\"");
		JsonNode enqueued = this.json
			.readTree(actuator("/actuator/metrics/autotask.tasks.enqueued?tag=task:reportTasks.rebuild",
					credentials("admin"))
				.body());
		assertThat(enqueued.at("/measurements/0/value").asDouble()).isGreaterThanOrEqualTo(1.0);
	}

	@Test
	void noDemoPasswordGetsInWhenNoneIsConfigured() throws Exception {
		assertThat(actuator("/actuator/autotask", "admin:admin").statusCode()).isEqualTo(401);
		assertThat(actuator("/actuator/autotask", "viewer:viewer").statusCode()).isEqualTo(401);
		assertThat(actuator("/actuator/autotask", credentials("admin")).statusCode()).isEqualTo(200);
		assertThat(actuator("/actuator/autotask", credentials("viewer")).statusCode()).isEqualTo(200);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			POST | /reports/42?rows=2147483647            | rows must be 1 to 10000, got 2147483647
			POST | /reports/42?rows=0                     | rows must be 1 to 10000, got 0
			POST | /reports/42?rows=99999999999           | rows must be a number of type int, got '99999999999'
			POST | /reports/0?rows=5                      | customerId must be positive, got 0
			POST | /reports/-3                            | customerId must be positive, got -3
			POST | /invoices/-7                           | customerId must be positive, got -7
			POST | /invoices/seven                        | customerId must be a number of type long, got 'seven'
			POST | /partner-sync?failureRate=NaN          | failureRate must be a number from 0 to 1, got NaN
			POST | /partner-sync?failureRate=Infinity     | failureRate must be a number from 0 to 1, got Infinity
			POST | /partner-sync?failureRate=1.5          | failureRate must be a number from 0 to 1, got 1.5
			POST | /partner-sync?failureRate=-0.1         | failureRate must be a number from 0 to 1, got -0.1
			POST | /customers/0/sync                      | customerId must be positive, got 0
			POST | /primes?below=1                        | below must be 2 to 100000000, got 1
			POST | /primes?below=9223372036854775807      | below must be 2 to 100000000, got 9223372036854775807
			POST | /feed-import?pages=0                   | pages must be 1 to 20, got 0
			POST | /feed-import?pages=100000              | pages must be 1 to 20, got 100000
			POST | /tasks/0/cancel                        | A task id is positive, got 0
			GET  | /tasks/-1                              | A task id is positive, got -1
			GET  | /tasks/-1/chain                        | A task id is positive, got -1
			GET  | /tasks/one                             | id must be a number of type long, got 'one'
			""")
	void badArgumentsAreRefusedWithAProblemNamingThemAndStartNothing(String method, String path, String detail)
			throws Exception {
		long tasks = taskCount();

		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
				HttpResponse.BodyHandlers.ofString());

		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
		JsonNode problem = this.json.readTree(response.body());
		assertThat(problem.get("status").asInt()).isEqualTo(400);
		assertThat(problem.get("detail").asString()).isEqualTo(detail);
		assertThat(taskCount()).as("tasks after a refused request").isEqualTo(tasks);
	}

	@Test
	void tasksStartedThroughTheAdminApiAreNotShownToAnonymousCallers() throws Exception {
		HttpClient admin = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
		String basic = "Basic " + Base64.getEncoder().encodeToString(credentials("admin").getBytes(StandardCharsets.UTF_8));
		admin.send(HttpRequest.newBuilder(uri("/autotask/api/task-types")).header("Authorization", basic).build(),
				HttpResponse.BodyHandlers.ofString());
		String token = ((CookieManager) admin.cookieHandler().orElseThrow()).getCookieStore()
			.getCookies()
			.stream()
			.filter((cookie) -> cookie.getName().equals("XSRF-TOKEN"))
			.map(HttpCookie::getValue)
			.findFirst()
			.orElseThrow();
		HttpResponse<String> started = admin.send(HttpRequest.newBuilder(uri("/autotask/api/tasks"))
			.header("Authorization", basic)
			.header("X-XSRF-TOKEN", token)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers
				.ofString("{\"name\": \"reportTasks.rebuild\", \"args\": {\"customerId\": 9, \"rows\": 10000}}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(started.statusCode()).isEqualTo(202);
		long id = this.json.readTree(started.body()).get("id").asLong();

		assertThat(send("GET", "/tasks/" + id).statusCode()).isEqualTo(404);
		assertThat(send("POST", "/tasks/" + id + "/cancel").statusCode()).isEqualTo(404);
		assertThat(get("/tasks/" + id + "/chain")).isEmpty();
		HttpResponse<String> asAdmin = admin.send(
				HttpRequest.newBuilder(uri("/autotask/api/tasks/" + id)).header("Authorization", basic).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(this.json.readTree(asAdmin.body()).get("status").asString()).as("not cancelled")
			.isIn("PENDING", "RUNNING");
		admin.send(HttpRequest.newBuilder(uri("/autotask/api/tasks/" + id + "/cancel"))
			.header("Authorization", basic)
			.header("X-XSRF-TOKEN", token)
			.POST(HttpRequest.BodyPublishers.noBody())
			.build(), HttpResponse.BodyHandlers.ofString());
		await().atMost(Duration.ofSeconds(20))
			.until(() -> !this.json
				.readTree(admin.send(
						HttpRequest.newBuilder(uri("/autotask/api/tasks/" + id)).header("Authorization", basic).build(),
						HttpResponse.BodyHandlers.ofString())
					.body())
				.get("status")
				.asString()
				.matches("PENDING|RUNNING"));

		// Events are relayed in order: once a later task's end is listed, the admin's was heard.
		long later = post("/invoices/8").get("id").asLong();
		await().atMost(Duration.ofSeconds(20))
			.until(() -> get("/events").toString().contains("\"" + later + " reportTasks.invoice SUCCESS\""));
		assertThat(get("/events").toString()).doesNotContain("\"" + id + " ");
	}

	@Test
	void longRebuildStopsSoonAfterItIsCancelled() throws Exception {
		// Ten seconds of work, unless it looks for the cancellation as it goes.
		JsonNode started = post("/reports/11?rows=10000");
		String statusUrl = started.get("statusUrl").asString();
		await().atMost(Duration.ofSeconds(20)).until(() -> "RUNNING".equals(get(statusUrl).get("status").asString()));

		post("/tasks/" + started.get("id").asLong() + "/cancel");

		await().atMost(Duration.ofSeconds(3)).until(() -> !"RUNNING".equals(get(statusUrl).get("status").asString()));
		assertThat(get(statusUrl).get("result").asString()).startsWith("\"stopped after ").endsWith(" of 10000 rows\"");
	}

	/**
	 * The tasks requests started: those the sample's schedules enqueue (its periodic task fires at
	 * start, at a moment of its own) are left out.
	 */
	private long taskCount() {
		return postgres.jdbc()
			.sql("SELECT count(*) FROM autotask_task WHERE id NOT IN "
					+ "(SELECT task_id FROM autotask_fire WHERE task_id IS NOT NULL)")
			.query(Long.class)
			.single();
	}

	private static String credentials(String user) {
		return user + ":" + passwords.get(user);
	}

	private HttpResponse<String> send(String method, String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> actuator(String path, String credentials) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
		if (credentials != null) {
			request.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private JsonNode post(String path) throws Exception {
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody()).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return this.json.readTree(response.body());
	}

	private JsonNode get(String path) throws Exception {
		HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(uri(path)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return this.json.readTree(response.body());
	}

	private URI uri(String path) {
		return URI.create("http://localhost:" + this.port + path);
	}

}
