package dev.autotask.boot.web;

import dev.autotask.annotation.DelayedTask;
import dev.autotask.boot.testsupport.AutotaskContextRunners;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static dev.autotask.boot.testsupport.AutotaskContextRunners.ADMIN;
import static dev.autotask.boot.testsupport.AutotaskContextRunners.ADMIN_PASSWORD;
import static dev.autotask.boot.testsupport.TaskApi.TASKS;
import static dev.autotask.boot.testsupport.TaskApi.admin;
import static dev.autotask.boot.testsupport.TaskApi.mockMvc;
import static dev.autotask.boot.testsupport.TaskApi.otherUser;
import static dev.autotask.boot.testsupport.TaskApi.start;
import static dev.autotask.boot.testsupport.TaskApi.startRequest;
import static dev.autotask.boot.testsupport.TaskApi.viewer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
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
class TaskApiSecurityIT {

	private static final String TOUCH = "{\"name\": \"jobs.touch\"}";

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	private final WebApplicationContextRunner runner = AutotaskContextRunners.securedWebApplication(postgres)
		.withPropertyValues("autotask.poll-interval=1m", "spring.application.name=shop")
		.withUserConfiguration(Config.class);

	private final TaskRows rows = new TaskRows(postgres);

	@Test
	void anonymousCallerIsUnauthorized() {
		this.runner.run((context) -> {
			MockMvc mvc = mockMvc(context);
			mvc.perform(get("/autotask/api/task-types"))
				.andExpect(status().isUnauthorized())
				.andExpect(header().string("WWW-Authenticate", startsWith("Basic realm=\"autotask\"")));
			mvc.perform(get(TASKS + "/1").accept(MediaType.TEXT_HTML)).andExpect(status().isUnauthorized());
			assertRefused(mvc, post(TASKS).with(csrf()), 401);
		});
	}

	@Test
	void userWithoutEitherRoleIsForbidden() {
		this.runner.run((context) -> {
			MockMvc mvc = mockMvc(context);
			RequestPostProcessor other = otherUser();
			mvc.perform(get("/autotask/api/task-types").with(other))
				.andExpect(status().isForbidden())
				.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
				.andExpect(jsonPath("$.detail").value("This user lacks the role for this request"));
			assertRefused(mvc, post(TASKS).with(other).with(csrf()), 403);
		});
	}

	@Test
	void viewerReadsButCannotStart() {
		this.runner.run((context) -> {
			MockMvc mvc = mockMvc(context);
			long id = startAsAdmin(mvc);
			RequestPostProcessor viewer = viewer();

			mvc.perform(get("/autotask/api/task-types").with(viewer)).andExpect(status().isOk());
			mvc.perform(get(TASKS + "/" + id).with(viewer)).andExpect(status().isOk());
			assertRefused(mvc, post(TASKS).with(viewer).with(csrf()), 403);
		});
	}

	@Test
	void viewerCannotCancelRunAgainOrPause() {
		this.runner.run((context) -> {
			MockMvc mvc = mockMvc(context);
			long id = startAsAdmin(mvc);
			RequestPostProcessor viewer = viewer();

			mvc.perform(post(TASKS + "/" + id + "/cancel").with(viewer).with(csrf())).andExpect(status().isForbidden());
			assertRefused(mvc, post(TASKS + "/" + id + "/run-again").with(viewer).with(csrf()), 403);
			mvc.perform(post("/autotask/api/queues/default/pause").with(viewer).with(csrf()))
				.andExpect(status().isForbidden());
			mvc.perform(get("/autotask/api/queues").with(viewer))
				.andExpect(jsonPath("$[?(@.name == 'default')].paused").value(false));
			assertThat(this.rows.column(id, "status")).isNotEqualTo("CANCELLED");
		});
	}

	@Test
	void stateChangesWithoutCsrfTokenAreRefused() {
		this.runner.run((context) -> {
			MockMvc mvc = mockMvc(context);
			long id = startAsAdmin(mvc);

			mvc.perform(post(TASKS + "/" + id + "/cancel").with(admin())).andExpect(status().isForbidden());
			assertRefused(mvc, post(TASKS + "/" + id + "/run-again").with(admin()), 403);
			mvc.perform(post("/autotask/api/queues/default/pause").with(admin())).andExpect(status().isForbidden());
			mvc.perform(get("/autotask/api/queues").with(admin()))
				.andExpect(jsonPath("$[?(@.name == 'default')].paused").value(false));
		});
	}

	@Test
	void anonymousBrowserIsSentToThePagesOwnLoginForm() {
		this.runner.run((context) -> {
			MockMvc mvc = mockMvc(context);
			mvc.perform(get("/autotask/").accept(MediaType.TEXT_HTML))
				.andExpect(status().isFound())
				.andExpect(header().string("Location", endsWith("/autotask/login")));
			mvc.perform(get("/autotask/admin.js").accept(MediaType.TEXT_HTML)).andExpect(status().isFound());
			mvc.perform(get("/autotask/login"))
				.andExpect(status().isOk())
				.andExpect(header().string("Content-Security-Policy", containsString("script-src 'self'")))
				.andExpect(header().string("Referrer-Policy", "no-referrer"))
				.andExpect(content().string(containsString("name=\"_csrf\"")));
			mvc.perform(get("/autotask/admin.css")).andExpect(status().isOk());
		});
	}

	@Test
	void loginFormChecksTheApplicationsUsers() {
		this.runner.run((context) -> {
			MockMvc mvc = mockMvc(context);
			mvc.perform(post("/autotask/login").param("username", ADMIN).param("password", ADMIN_PASSWORD).with(csrf()))
				.andExpect(status().isFound())
				.andExpect(header().string("Location", "/autotask/"));
			mvc.perform(post("/autotask/login").param("username", ADMIN).param("password", "wrong").with(csrf()))
				.andExpect(status().isFound())
				.andExpect(header().string("Location", "/autotask/login?error"));
			mvc.perform(post("/autotask/login").param("username", ADMIN).param("password", ADMIN_PASSWORD))
				.andExpect(status().isForbidden());
		});
	}

	@Test
	void adminPostWithoutCsrfTokenIsRefused() {
		this.runner.run((context) -> {
			MockMvc mvc = mockMvc(context);
			assertRefused(mvc, post(TASKS).with(admin()), 403);
			assertRefused(mvc, post(TASKS).with(admin()).with(csrf().useInvalidToken()), 403);
			mvc.perform(post(TASKS).with(admin()).contentType(MediaType.APPLICATION_JSON).content(TOUCH))
				.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
				.andExpect(jsonPath("$.status").value(403))
				.andExpect(jsonPath("$.detail", containsString("X-XSRF-TOKEN")));
		});
	}

	@Test
	void adminPostWithCsrfTokenStartsTheTask() {
		this.runner.run((context) -> {
			MockMvc mvc = mockMvc(context);
			long before = this.rows.count();

			startAsAdmin(mvc);

			assertThat(this.rows.count()).isEqualTo(before + 1);
		});
	}

	@Test
	void httpBasicUserFromTheApplicationStartsATask() {
		this.runner.run((context) -> {
			MockMvc mvc = mockMvc(context);
			mvc
				.perform(post(TASKS).with(httpBasic(ADMIN, ADMIN_PASSWORD))
					.with(csrf())
					.contentType(MediaType.APPLICATION_JSON)
					.content(TOUCH))
				.andExpect(status().isAccepted());
			assertRefused(mvc, post(TASKS).with(httpBasic(ADMIN, "wrong")).with(csrf()), 401);
		});
	}

	@Test
	void ownerIsTheApplicationNotTheLoggedInUser() {
		this.runner.run((context) -> {
			MockMvc mvc = mockMvc(context);
			long id = startAsAdmin(mvc);

			mvc.perform(get(TASKS + "/" + id).with(user("bob").roles("AUTOTASK_ADMIN")))
				.andExpect(status().isOk())
				.andExpect(jsonPath("$.owner").value("shop"));
		});
	}

	@Test
	void restOfTheApplicationKeepsBootsDefaultProtection() {
		this.runner.run((context) -> {
			MockMvc mvc = mockMvc(context);
			mvc.perform(get("/elsewhere").header("X-Requested-With", "XMLHttpRequest"))
				.andExpect(status().isUnauthorized());
			mvc.perform(get("/elsewhere").with(otherUser())).andExpect(status().isOk());
		});
	}

	private static long startAsAdmin(MockMvc mvc) throws Exception {
		return start(mvc, startRequest(TOUCH));
	}

	private void assertRefused(MockMvc mvc, MockHttpServletRequestBuilder request, int status) throws Exception {
		long before = this.rows.count();
		mvc.perform(request.contentType(MediaType.APPLICATION_JSON).content(TOUCH)).andExpect(status().is(status));
		assertThat(this.rows.count()).isEqualTo(before);
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
