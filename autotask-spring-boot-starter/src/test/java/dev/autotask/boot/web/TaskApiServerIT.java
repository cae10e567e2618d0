package dev.autotask.boot.web;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import com.jayway.jsonpath.JsonPath;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.boot.testsupport.ApplicationDatabase;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The REST API and admin page as a real Tomcat serves them, where MockMvc cannot stand in:
 * the container's error dispatch, the cookie attributes it writes, and the request body as the
 * bytes that came over the socket.
 */
@SpringBootTest(classes = TaskApiServerIT.Config.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "autotask.poll-interval=1m", "spring.application.name=shop",
				"spring.security.user.name=admin", "spring.security.user.password=secret",
				"spring.security.user.roles=AUTOTASK_ADMIN" })
class TaskApiServerIT {

	private static final String ADMIN = "Basic "
			+ Base64.getEncoder().encodeToString("admin:secret".getBytes(StandardCharsets.UTF_8));

	@RegisterExtension
	@ApplicationDatabase
	static final PostgresExtension postgres = PostgresExtension.empty();

	@LocalServerPort
	int port;

	private final HttpClient http = HttpClient.newHttpClient();

	private TaskRows rows;

	@BeforeEach
	void setUp() {
		this.rows = new TaskRows(postgres);
	}

	@Test
	void sessionAndCsrfCookiesAreSameSiteLax() throws Exception {
		// The login redirect keeps the page asked for in a new session.
		HttpResponse<String> response = send(request("/autotask/").header("Accept", "text/html").GET());

		assertThat(response.statusCode()).isEqualTo(302);
		List<String> cookies = response.headers().allValues("Set-Cookie");
		assertThat(cookies).filteredOn((cookie) -> cookie.startsWith("JSESSIONID="))
			.singleElement()
			.satisfies((cookie) -> assertThat(cookie).containsIgnoringCase("; SameSite=Lax"));
		assertThat(cookies).filteredOn((cookie) -> cookie.startsWith("XSRF-TOKEN="))
			.singleElement()
			.satisfies((cookie) -> assertThat(cookie).containsIgnoringCase("; SameSite=Lax"));
	}

	@Test
	void loginFormSendsNoReferrer() throws Exception {
		HttpResponse<String> response = send(request("/autotask/login").GET());

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
	}

	@Test
	void pathTheApiDoesNotHaveIsAProblemDetail() throws Exception {
		HttpResponse<String> response = send(request("/autotask/api/nothing-here").header("Authorization", ADMIN).GET());

		assertProblem(response, 404, "The REST API has nothing at this path");
		assertThat((String) JsonPath.read(response.body(), "$.instance")).isEqualTo("/autotask/api/nothing-here");
	}

	@Test
	void methodThePathDoesNotTakeIsAProblemDetailThatKeepsTheAllowHeader() throws Exception {
		HttpResponse<String> response = send(request("/autotask/api/tasks/1/cancel").header("Authorization", ADMIN).GET());

		assertProblem(response, 405, "This path does not take GET; the Allow header lists the methods it takes");
		assertThat(response.headers().firstValue("Allow")).hasValue("POST");
	}

	@Test
	void callerWhoIsNotLoggedInGetsAProblemDetailAndTheBasicChallenge() throws Exception {
		HttpResponse<String> response = send(request("/autotask/api/task-types").GET());

		assertProblem(response, 401, "Log in first: with HTTP Basic, or on the admin page");
		assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
				(challenge) -> assertThat(challenge).startsWith("Basic realm=\"autotask\""));
	}

	@Test
	void exceptionThatEscapesIsAProblemDetailThatSaysNothingOfIt() throws Exception {
		HttpResponse<String> response = send(
				request("/autotask/api/queues").header("Authorization", ADMIN).header("X-Tenant", "boom").GET());

		assertProblem(response, 500, "The request failed; the server log says why");
		assertThat(response.body()).doesNotContain("secret", "Exception", "dev.autotask");
	}

	@Test
	void errorOutsideTheApiIsLeftToTheApplication() throws Exception {
		HttpResponse<String> response = send(request("/autotask/nothing-here").header("Authorization", ADMIN).GET());

		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).doesNotStartWith("application/problem+json"));
	}

	@Test
	void overlongUtf8OverTheSocketIsRefusedAndNothingRuns() throws Exception {
		String token = csrfToken();
		long before = this.rows.count();
		// "reports.touch" with its dot written as the overlong C0 AE, which Jackson reads as ".".
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		body.writeBytes("{\"name\": \"reports".getBytes(StandardCharsets.US_ASCII));
		body.write(0xC0);
		body.write(0xAE);
		body.writeBytes("touch\"}".getBytes(StandardCharsets.US_ASCII));

		HttpResponse<String> response = send(post(token, body.toByteArray()));

		assertProblem(response, 400, "The request body is not valid UTF-8: malformed bytes at offset 17");
		assertThat(this.rows.count()).isEqualTo(before);
		// The same request, well formed, starts the task: the refusal was the bytes'.
		assertThat(send(post(token, "{\"name\": \"reports.touch\"}".getBytes(StandardCharsets.UTF_8))).statusCode())
			.isEqualTo(202);
		assertThat(this.rows.count()).isEqualTo(before + 1);
	}

	private String csrfToken() throws Exception {
		HttpResponse<String> response = send(request("/autotask/api/task-types").header("Authorization", ADMIN).GET());
		return response.headers()
			.allValues("Set-Cookie")
			.stream()
			.filter((cookie) -> cookie.startsWith("XSRF-TOKEN="))
			.map((cookie) -> cookie.substring("XSRF-TOKEN=".length(), cookie.indexOf(';')))
			.findFirst()
			.orElseThrow();
	}

	private HttpRequest post(String token, byte[] body) {
		return request("/autotask/api/tasks").header("Authorization", ADMIN)
			.header("Cookie", "XSRF-TOKEN=" + token)
			.header("X-XSRF-TOKEN", token)
			.header("Content-Type", "application/json")
			.POST(BodyPublishers.ofByteArray(body))
			.build();
	}

	private static void assertProblem(HttpResponse<String> response, int status, String detail) {
		assertThat(response.statusCode()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/problem+json"));
		assertThat((Integer) JsonPath.read(response.body(), "$.status")).isEqualTo(status);
		assertThat((String) JsonPath.read(response.body(), "$.detail")).isEqualTo(detail);
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path));
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return send(request.build());
	}

	private HttpResponse<String> send(HttpRequest request) throws Exception {
		return this.http.send(request, BodyHandlers.ofString());
	}

	public static class Reports {

		@DelayedTask
		public void touch() {
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class Config {

		@Bean
		Reports reports() {
			return new Reports();
		}

		/** Fails for one tenant, with a message no caller should read. */
		@Bean
		OwnerResolver ownerResolver() {
			return (request) -> {
				if ("boom".equals(request.getHeader("X-Tenant"))) {
					throw new IllegalStateException("secret tenant table is down");
				}
				return "shop";
			};
		}

	}

}
