package dev.autotask.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample over HTTP, as its README shows: start a task, watch it go PENDING, RUNNING,
 * SUCCESS.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "autotask.retry-delay=50ms")
class SampleApplicationIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		postgres.springProperties().forEach(registry::add);
	}

	private final HttpClient http = HttpClient.newHttpClient();

	private final JsonMapper json = new JsonMapper();

	@Value("${local.server.port}")
	int port;

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
			JsonNode health = this.json.readTree(actuator("/actuator/health", "viewer:viewer").body());
			assertThat(health.at("/components/autotask/status").asString()).isEqualTo("UP");
		});
		JsonNode autotask = this.json.readTree(actuator("/actuator/autotask", "viewer:viewer").body());
		assertThat(autotask.get("leader").asString()).isNotEmpty();
		assertThat(autotask.get("nodes").size()).isEqualTo(1);
		assertThat(autotask.get("queues").toString()).contains("\"name\":\"reports\"");
		JsonNode enqueued = this.json
			.readTree(actuator("/actuator/metrics/autotask.tasks.enqueued?tag=task:reportTasks.rebuild", "admin:admin")
				.body());
		assertThat(enqueued.at("/measurements/0/value").asDouble()).isGreaterThanOrEqualTo(1.0);
	}

	private HttpResponse<String> actuator(String path, String credentials) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
		if (credentials != null) {
			request.header("Authorization",
					"Basic " + java.util.Base64.getEncoder().encodeToString(credentials.getBytes()));
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
