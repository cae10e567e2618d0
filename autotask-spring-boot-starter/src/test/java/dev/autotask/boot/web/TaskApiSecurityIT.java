package dev.autotask.boot.web;

import com.jayway.jsonpath.JsonPath;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.WebApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers.springSecurity;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The REST API behind the application's Spring Security, with autotask's own filter chain:
 * who may read, who may start, CSRF, and the rest of the application left to Boot's default
 * chain. The cookie round trip a script makes is in {@link AutotaskWebAutoConfigurationIT}: here
 * spring-security-test's {@code csrf()} swaps the token repository of the shared chain.
 */
@SpringBootTest(classes = TaskApiSecurityIT.Config.class,
		properties = { "autotask.poll-interval=1m", "spring.application.name=shop",
				"spring.security.user.name=admin", "spring.security.user.password=secret",
				"spring.security.user.roles=AUTOTASK_ADMIN" })
class TaskApiSecurityIT {

	private static final String TASKS = "/autotask/api/tasks";

	private static final String TOUCH = "{\"name\": \"jobs.touch\"}";

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		postgres.springProperties().forEach(registry::add);
	}

	@Autowired
	WebApplicationContext context;

	private MockMvc mvc;

	private TaskRows rows;

	@BeforeEach
	void setUp() {
		this.mvc = MockMvcBuilders.webAppContextSetup(this.context).apply(springSecurity()).build();
		this.rows = new TaskRows(postgres);
	}

	@Test
	void anonymousCallerIsUnauthorized() throws Exception {
		this.mvc.perform(get("/autotask/api/task-types"))
			.andExpect(status().isUnauthorized())
			.andExpect(header().string("WWW-Authenticate", startsWith("Basic realm=\"autotask\"")));
		this.mvc.perform(get(TASKS + "/1").accept(MediaType.TEXT_HTML)).andExpect(status().isUnauthorized());
		assertRefused(post(TASKS).with(csrf()), 401);
	}

	@Test
	void userWithoutEitherRoleIsForbidden() throws Exception {
		RequestPostProcessor other = user("olle").roles("USER");
		this.mvc.perform(get("/autotask/api/task-types").with(other))
			.andExpect(status().isForbidden())
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.detail").value("This user lacks the role for this request"));
		assertRefused(post(TASKS).with(other).with(csrf()), 403);
	}

	@Test
	void viewerReadsButCannotStart() throws Exception {
		long id = startAsAdmin();
		RequestPostProcessor viewer = user("vera").roles("AUTOTASK_VIEWER");

		this.mvc.perform(get("/autotask/api/task-types").with(viewer)).andExpect(status().isOk());
		this.mvc.perform(get(TASKS + "/" + id).with(viewer)).andExpect(status().isOk());
		assertRefused(post(TASKS).with(viewer).with(csrf()), 403);
	}

	@Test
	void viewerCannotCancelRunAgainOrPause() throws Exception {
		long id = startAsAdmin();
		RequestPostProcessor viewer = user("vera").roles("AUTOTASK_VIEWER");

		this.mvc.perform(post(TASKS + "/" + id + "/cancel").with(viewer).with(csrf())).andExpect(status().isForbidden());
		assertRefused(post(TASKS + "/" + id + "/run-again").with(viewer).with(csrf()), 403);
		this.mvc.perform(post("/autotask/api/queues/default/pause").with(viewer).with(csrf()))
			.andExpect(status().isForbidden());
		this.mvc.perform(get("/autotask/api/queues").with(viewer))
			.andExpect(jsonPath("$[?(@.name == 'default')].paused").value(false));
		assertThat(this.rows.column(id, "status")).isNotEqualTo("CANCELLED");
	}

	@Test
	void stateChangesWithoutCsrfTokenAreRefused() throws Exception {
		long id = startAsAdmin();

		this.mvc.perform(post(TASKS + "/" + id + "/cancel").with(admin())).andExpect(status().isForbidden());
		assertRefused(post(TASKS + "/" + id + "/run-again").with(admin()), 403);
		this.mvc.perform(post("/autotask/api/queues/default/pause").with(admin())).andExpect(status().isForbidden());
		this.mvc.perform(get("/autotask/api/queues").with(admin()))
			.andExpect(jsonPath("$[?(@.name == 'default')].paused").value(false));
	}

	@Test
	void anonymousBrowserIsSentToThePagesOwnLoginForm() throws Exception {
		this.mvc.perform(get("/autotask/").accept(MediaType.TEXT_HTML))
			.andExpect(status().isFound())
			.andExpect(header().string("Location", endsWith("/autotask/login")));
		this.mvc.perform(get("/autotask/admin.js").accept(MediaType.TEXT_HTML)).andExpect(status().isFound());
		this.mvc.perform(get("/autotask/login"))
			.andExpect(status().isOk())
			.andExpect(header().string("Content-Security-Policy", containsString("script-src 'self'")))
			.andExpect(header().string("Referrer-Policy", "no-referrer"))
			.andExpect(content().string(containsString("name=\"_csrf\"")));
		this.mvc.perform(get("/autotask/admin.css")).andExpect(status().isOk());
	}

	@Test
	void loginFormChecksTheApplicationsUsers() throws Exception {
		this.mvc.perform(post("/autotask/login").param("username", "admin").param("password", "secret").with(csrf()))
			.andExpect(status().isFound())
			.andExpect(header().string("Location", "/autotask/"));
		this.mvc.perform(post("/autotask/login").param("username", "admin").param("password", "wrong").with(csrf()))
			.andExpect(status().isFound())
			.andExpect(header().string("Location", "/autotask/login?error"));
		this.mvc.perform(post("/autotask/login").param("username", "admin").param("password", "secret"))
			.andExpect(status().isForbidden());
	}

	@Test
	void adminPostWithoutCsrfTokenIsRefused() throws Exception {
		assertRefused(post(TASKS).with(admin()), 403);
		assertRefused(post(TASKS).with(admin()).with(csrf().useInvalidToken()), 403);
		this.mvc.perform(post(TASKS).with(admin()).contentType(MediaType.APPLICATION_JSON).content(TOUCH))
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.status").value(403))
			.andExpect(jsonPath("$.detail", containsString("X-XSRF-TOKEN")));
	}

	@Test
	void adminPostWithCsrfTokenStartsTheTask() throws Exception {
		long before = this.rows.count();

		startAsAdmin();

		assertThat(this.rows.count()).isEqualTo(before + 1);
	}

	@Test
	void httpBasicUserFromTheApplicationStartsATask() throws Exception {
		this.mvc
			.perform(post(TASKS).with(httpBasic("admin", "secret"))
				.with(csrf())
				.contentType(MediaType.APPLICATION_JSON)
				.content(TOUCH))
			.andExpect(status().isAccepted());
		assertRefused(post(TASKS).with(httpBasic("admin", "wrong")).with(csrf()), 401);
	}

	@Test
	void ownerIsTheApplicationNotTheLoggedInUser() throws Exception {
		long id = startAsAdmin();

		this.mvc.perform(get(TASKS + "/" + id).with(user("bob").roles("AUTOTASK_ADMIN")))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.owner").value("shop"));
	}

	@Test
	void restOfTheApplicationKeepsBootsDefaultProtection() throws Exception {
		this.mvc.perform(get("/elsewhere").header("X-Requested-With", "XMLHttpRequest"))
			.andExpect(status().isUnauthorized());
		this.mvc.perform(get("/elsewhere").with(user("olle").roles("USER"))).andExpect(status().isOk());
	}

	private long startAsAdmin() throws Exception {
		String body = this.mvc
			.perform(post(TASKS).with(admin()).with(csrf()).contentType(MediaType.APPLICATION_JSON).content(TOUCH))
			.andExpect(status().isAccepted())
			.andReturn()
			.getResponse()
			.getContentAsString();
		return ((Number) JsonPath.read(body, "$.id")).longValue();
	}

	private void assertRefused(MockHttpServletRequestBuilder request, int status) throws Exception {
		long before = this.rows.count();
		this.mvc.perform(request.contentType(MediaType.APPLICATION_JSON).content(TOUCH)).andExpect(status().is(status));
		assertThat(this.rows.count()).isEqualTo(before);
	}

	private static RequestPostProcessor admin() {
		return user("ann").roles("AUTOTASK_ADMIN");
	}

	public static class Jobs {

		@DelayedTask
		public void touch() {
		}

	}

	@RestController
	static class Elsewhere {

		@GetMapping("/elsewhere")
		String hello() {
			return "hello";
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class Config {

		@Bean
		Jobs jobs() {
			return new Jobs();
		}

		@Bean
		Elsewhere elsewhere() {
			return new Elsewhere();
		}

	}

}
