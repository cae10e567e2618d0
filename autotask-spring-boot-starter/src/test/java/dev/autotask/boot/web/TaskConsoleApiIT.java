package dev.autotask.boot.web;

import dev.autotask.annotation.DelayedTask;
import dev.autotask.boot.testsupport.ApplicationDatabase;
import dev.autotask.boot.testsupport.TaskApi;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.context.WebApplicationContext;

import static dev.autotask.boot.testsupport.TaskApi.admin;
import static dev.autotask.boot.testsupport.TaskApi.mockMvc;
import static dev.autotask.boot.testsupport.TaskApi.startRequest;
import static dev.autotask.boot.testsupport.TaskApi.viewer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The operations console's REST API on a real PostgreSQL, with the engine off so that tasks stay
 * where the test puts them: search with counts and keyset pages, retry, run now, delete and bulk
 * actions; another owner's task is not found, a viewer may search but not act, and bad input is a
 * problem detail that names it.
 */
@SpringBootTest(classes = TaskConsoleApiIT.Config.class,
		properties = { "autotask.enabled=false", "spring.application.name=shop" })
class TaskConsoleApiIT {

	private static final String API = "/autotask/api/";

	@RegisterExtension
	@ApplicationDatabase
	static final PostgresExtension postgres = PostgresExtension.empty();

	@Autowired
	WebApplicationContext context;

	@BeforeEach
	void emptyTable() {
		postgres.jdbc().sql("DELETE FROM " + postgres.schema() + ".autotask_task").update();
	}

	@Test
	void searchFindsByStatusAndNamePagesByKeysetAndCountsByStatus() throws Exception {
		MockMvc mvc = mvc();
		long first = start(mvc, "one");
		long second = start(mvc, "two");
		long third = start(mvc, "three");
		fail(second, "SMTP refused: 550");

		mvc.perform(get(API + "tasks/search").param("name", "jobs.mail").param("limit", "2").with(viewer()))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.tasks.length()").value(2))
			.andExpect(jsonPath("$.tasks[0].id").value(third))
			.andExpect(jsonPath("$.tasks[1].id").value(second))
			.andExpect(jsonPath("$.next").value(second))
			.andExpect(jsonPath("$.counts.PENDING").value(2))
			.andExpect(jsonPath("$.counts.FAILURE").value(1))
			.andExpect(jsonPath("$.countCap").value(10_000));
		mvc.perform(get(API + "tasks/search").param("before", String.valueOf(second)).with(viewer()))
			.andExpect(jsonPath("$.tasks.length()").value(1))
			.andExpect(jsonPath("$.tasks[0].id").value(first))
			.andExpect(jsonPath("$.next").doesNotExist());
		mvc.perform(get(API + "tasks/search").param("status", "failure").param("error", "smtp").with(viewer()))
			.andExpect(jsonPath("$.tasks.length()").value(1))
			.andExpect(jsonPath("$.tasks[0].id").value(second))
			.andExpect(jsonPath("$.tasks[0].error.message").value("SMTP refused: 550"));
		mvc.perform(get(API + "tasks/search").param("args", "[\"two\"]").with(viewer()))
			.andExpect(jsonPath("$.tasks[0].id").value(second));
	}

	@Test
	void countCountsEveryMatchOfTheOwnersTasksOnly() throws Exception {
		MockMvc mvc = mvc();
		fail(start(mvc, "one"), "boom");
		start(mvc, "two");

		mvc.perform(get(API + "tasks/count").param("name", "jobs.mail").with(viewer()))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.counts.PENDING").value(1))
			.andExpect(jsonPath("$.counts.FAILURE").value(1));
		mvc.perform(get(API + "tasks/count").with(viewer()).header("X-Tenant", "other"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.counts").isEmpty());
		mvc.perform(get(API + "tasks/count").param("limt", "1").with(viewer()))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.detail", containsString("Unknown parameter 'limt'")));
	}

	@Test
	void searchByNodeFindsTheTasksRunningOnIt() throws Exception {
		MockMvc mvc = mvc();
		long here = start(mvc, "here");
		long there = start(mvc, "there");
		start(mvc, "pending");
		running(here, "node-a");
		running(there, "node-b");

		mvc.perform(get(API + "tasks/search").param("node", "node-a").param("status", "RUNNING").with(viewer()))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.tasks.length()").value(1))
			.andExpect(jsonPath("$.tasks[0].id").value(here))
			.andExpect(jsonPath("$.counts.RUNNING").value(1))
			.andExpect(jsonPath("$.counts.PENDING").doesNotExist());
		mvc.perform(get(API + "tasks/search").param("node", "node-c").with(viewer()))
			.andExpect(jsonPath("$.tasks.length()").value(0));
		expectBadSearch(mvc, "node", " ", "node must be 1 to 200 characters");
	}

	@Test
	void badSearchIsAProblemThatNamesTheParameter() throws Exception {
		MockMvc mvc = mvc();
		expectBadSearch(mvc, "status", "DONE", "Parameter 'status'");
		expectBadSearch(mvc, "limit", "0", "limit must be between 1 and 500");
		expectBadSearch(mvc, "limit", "many", "Parameter 'limit' must be a whole number");
		expectBadSearch(mvc, "createdFrom", "yesterday", "Parameter 'createdFrom' must be an instant");
		expectBadSearch(mvc, "args", "{oops", "argsContain is not valid JSON");
		expectBadSearch(mvc, "nmae", "x", "Unknown parameter 'nmae'");
		mvc.perform(get(API + "tasks/search").param("name", "a", "b").with(viewer()))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.detail", containsString("'name' is given more than once")));
	}

	@Test
	void retryRunNowAndDeleteActOnTheOwnersTaskOnly() throws Exception {
		MockMvc mvc = mvc();
		long failed = start(mvc, "one");
		fail(failed, "boom");

		mvc.perform(post(API + "tasks/" + failed + "/retry").with(admin()).with(csrf()).header("X-Tenant", "other"))
			.andExpect(status().isNotFound())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON));
		mvc.perform(post(API + "tasks/" + failed + "/retry").with(admin()).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.status").value("PENDING"));
		mvc.perform(post(API + "tasks/" + failed + "/run-now").with(admin()).with(csrf()))
			.andExpect(jsonPath("$.status").value("PENDING"));
		mvc.perform(delete(API + "tasks/" + failed).with(admin()).with(csrf()).header("X-Tenant", "other"))
			.andExpect(status().isNotFound());
		mvc.perform(delete(API + "tasks/" + failed).with(admin()).with(csrf())).andExpect(status().isNoContent());
		mvc.perform(get(API + "tasks/" + failed).with(admin())).andExpect(status().isNotFound());
	}

	@Test
	void deletingARunningTaskIsAConflict() throws Exception {
		MockMvc mvc = mvc();
		long id = start(mvc, "one");
		postgres.jdbc()
			.sql("UPDATE " + postgres.schema() + ".autotask_task SET status = 'RUNNING', node_id = 'n' WHERE id = ?")
			.param(id)
			.update();

		mvc.perform(delete(API + "tasks/" + id).with(admin()).with(csrf()))
			.andExpect(status().isConflict())
			.andExpect(jsonPath("$.detail", containsString("cancel it before deleting it")));
	}

	@Test
	void bulkRetryActsOnEveryFailureTheQueryMatchesAndReports() throws Exception {
		MockMvc mvc = mvc();
		for (int i = 0; i < 5; i++) {
			fail(start(mvc, "m" + i), "boom");
		}
		start(mvc, "pending");

		mvc.perform(post(API + "tasks/bulk").with(admin())
			.with(csrf())
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"action\": \"retry\", \"query\": {\"name\": \"jobs.mail\", \"status\": [\"FAILURE\"]}}"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.action").value("retry"))
			.andExpect(jsonPath("$.matched").value(5))
			.andExpect(jsonPath("$.changed").value(5));
		mvc.perform(get(API + "tasks/search").with(viewer()))
			.andExpect(jsonPath("$.counts.PENDING").value(6))
			.andExpect(jsonPath("$.counts.FAILURE").doesNotExist());
	}

	@Test
	void badBulkRequestIsAProblemAndChangesNothing() throws Exception {
		MockMvc mvc = mvc();
		long failed = start(mvc, "one");
		fail(failed, "boom");
		expectBadBulk(mvc, "{\"action\": \"explode\", \"query\": {}}", "Field 'action' must be one of");
		expectBadBulk(mvc, "{\"action\": \"retry\"}", "Field 'query' is required");
		expectBadBulk(mvc, "{\"action\": \"retry\", \"query\": {\"stauts\": \"FAILURE\"}}", "Unknown parameter 'stauts'");
		expectBadBulk(mvc, "{\"action\": \"retry\", \"query\": {}, \"force\": true}", "Unknown field 'force'");
		expectBadBulk(mvc, "[]", "must be a JSON object");
		mvc.perform(get(API + "tasks/" + failed).with(admin())).andExpect(jsonPath("$.status").value("FAILURE"));
	}

	@Test
	void aViewerMaySearchButNotAct() throws Exception {
		MockMvc mvc = mvc();
		long failed = start(mvc, "one");
		fail(failed, "boom");

		mvc.perform(get(API + "tasks/search").with(viewer())).andExpect(status().isOk());
		mvc.perform(post(API + "tasks/" + failed + "/retry").with(viewer()).with(csrf()))
			.andExpect(status().isForbidden());
		mvc.perform(delete(API + "tasks/" + failed).with(viewer()).with(csrf())).andExpect(status().isForbidden());
		mvc.perform(post(API + "tasks/bulk").with(viewer())
			.with(csrf())
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"action\": \"delete\", \"query\": {}}")).andExpect(status().isForbidden());
		// Nor may anyone without the CSRF token, or without logging in.
		mvc.perform(post(API + "tasks/" + failed + "/retry").with(admin())).andExpect(status().isForbidden());
		mvc.perform(get(API + "tasks/search")).andExpect(status().isUnauthorized());
		mvc.perform(get(API + "tasks/" + failed).with(admin())).andExpect(jsonPath("$.status").value("FAILURE"));
	}

	private MockMvc mvc() {
		return mockMvc(this.context);
	}

	private static long start(MockMvc mvc, String text) throws Exception {
		return TaskApi.start(mvc, startRequest("{\"name\": \"jobs.mail\", \"args\": [\"" + text + "\"]}"));
	}

	private static void running(long id, String node) {
		postgres.jdbc()
			.sql("UPDATE " + postgres.schema() + ".autotask_task SET status = 'RUNNING', attempt = 1, started_at = now(),"
					+ " node_id = ? WHERE id = ?")
			.params(node, id)
			.update();
	}

	private static void fail(long id, String message) {
		postgres.jdbc()
			.sql("UPDATE " + postgres.schema() + ".autotask_task SET status = 'FAILURE', attempt = 1,"
					+ " finished_at = now(), expires_at = now() + ttl,"
					+ " error = jsonb_build_object('type', 'java.lang.IllegalStateException', 'message', CAST(? AS text)),"
					+ " error_search = left(lower(CAST(? AS text)), 500) WHERE id = ?")
			.params(message, message, id)
			.update();
	}

	private static void expectBadSearch(MockMvc mvc, String name, String value, String detail) throws Exception {
		mvc.perform(get(API + "tasks/search").param(name, value).with(viewer()))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.detail", containsString(detail)));
	}

	private static void expectBadBulk(MockMvc mvc, String body, String detail) throws Exception {
		mvc.perform(post(API + "tasks/bulk").with(admin())
			.with(csrf())
			.contentType(MediaType.APPLICATION_JSON)
			.content(body))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.detail", containsString(detail)));
	}

	public static class Jobs {

		@DelayedTask
		public void mail(String text) {
			assertThat(text).isNotNull();
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
		OwnerResolver ownerResolver() {
			return TaskApi.tenantHeader("shop");
		}

	}

}
