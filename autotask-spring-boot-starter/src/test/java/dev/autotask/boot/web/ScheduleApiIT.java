package dev.autotask.boot.web;

import dev.autotask.annotation.CronTask;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.boot.testsupport.ApplicationDatabase;
import dev.autotask.boot.testsupport.TaskApi;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.web.context.WebApplicationContext;

import static dev.autotask.boot.testsupport.TaskApi.admin;
import static dev.autotask.boot.testsupport.TaskApi.mockMvc;
import static dev.autotask.boot.testsupport.TaskApi.viewer;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * Schedules created at run time through the REST API, on a real PostgreSQL, with the engine off:
 * an admin creates, changes, pauses and deletes them, a viewer reads them, the declared ones
 * are listed too and can be paused but neither changed nor deleted, another owner's schedule is
 * not found, and bad input is a problem detail that names it.
 */
@SpringBootTest(classes = ScheduleApiIT.Config.class,
		properties = { "autotask.enabled=false", "spring.application.name=shop" })
class ScheduleApiIT {

	private static final String API = "/autotask/api/";

	private static final String NIGHTLY = """
			{"name": "nightly-report", "task": "jobs.report", "cron": "0 2 * * *", "zone": "Europe/Stockholm",
			 "args": [42, "pdf"]}""";

	@RegisterExtension
	@ApplicationDatabase
	static final PostgresExtension postgres = PostgresExtension.empty();

	private MockMvc mvc;

	@BeforeEach
	void setUp(WebApplicationContext context) {
		postgres.jdbc().sql("DELETE FROM " + postgres.schema() + ".autotask_runtime_schedule").update();
		postgres.jdbc().sql("DELETE FROM " + postgres.schema() + ".autotask_schedule").update();
		this.mvc = mockMvc(context);
	}

	@Test
	void adminCreatesChangesPausesAndDeletesAScheduleThatAViewerReads() throws Exception {
		this.mvc.perform(create(NIGHTLY))
			.andExpect(status().isCreated())
			.andExpect(header().string("Location", endsWith("/autotask/api/schedules/nightly-report")))
			.andExpect(jsonPath("$.declared").value(false))
			.andExpect(jsonPath("$.schedule").value("0 2 * * * Europe/Stockholm"))
			.andExpect(jsonPath("$.args[0]").value(42))
			.andExpect(jsonPath("$.paused").value(false))
			.andExpect(jsonPath("$.nextFire").isNotEmpty());
		this.mvc.perform(get(API + "schedules").with(viewer()))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$[0].name").value("jobs.nightly"))
			.andExpect(jsonPath("$[0].declared").value(true))
			.andExpect(jsonPath("$[1].name").value("nightly-report"))
			.andExpect(jsonPath("$[1].task").value("jobs.report"));

		this.mvc.perform(put(API + "schedules/nightly-report").with(admin())
			.with(csrf())
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"task\": \"jobs.report\", \"every\": \"10m\", \"args\": {\"customer\": 7, \"format\": \"csv\"}}"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.schedule").value("every PT10M"))
			.andExpect(jsonPath("$.args[0]").value(7));
		this.mvc.perform(post(API + "schedules/nightly-report/pause").with(admin()).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.paused").value(true));
		this.mvc.perform(get(API + "schedules/nightly-report").with(viewer()))
			.andExpect(jsonPath("$.paused").value(true));
		this.mvc.perform(get(API + "schedules/nightly-report/fires").with(viewer()))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.length()").value(0));
		this.mvc.perform(post(API + "schedules/nightly-report/resume").with(admin()).with(csrf()))
			.andExpect(jsonPath("$.paused").value(false));

		this.mvc.perform(delete(API + "schedules/nightly-report").with(admin()).with(csrf()))
			.andExpect(status().isNoContent());
		this.mvc.perform(get(API + "schedules/nightly-report").with(viewer())).andExpect(status().isNotFound());
		this.mvc.perform(delete(API + "schedules/nightly-report").with(admin()).with(csrf()))
			.andExpect(status().isNotFound());
	}

	@Test
	void anotherOwnersScheduleIsNotFound() throws Exception {
		this.mvc.perform(create(NIGHTLY).header("X-Tenant", "tenant-a")).andExpect(status().isCreated());

		this.mvc.perform(get(API + "schedules").with(viewer()).header("X-Tenant", "tenant-b"))
			.andExpect(jsonPath("$[*].name", not(hasItem("nightly-report"))))
			.andExpect(jsonPath("$[*].name", hasItem("jobs.nightly")));
		this.mvc.perform(get(API + "schedules/nightly-report").with(viewer()).header("X-Tenant", "tenant-b"))
			.andExpect(status().isNotFound())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON));
		this.mvc.perform(put(API + "schedules/nightly-report").with(admin())
			.with(csrf())
			.header("X-Tenant", "tenant-b")
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"task\": \"jobs.ping\", \"every\": \"1h\"}")).andExpect(status().isNotFound());
		this.mvc.perform(post(API + "schedules/nightly-report/pause").with(admin())
			.with(csrf())
			.header("X-Tenant", "tenant-b")).andExpect(status().isNotFound());
		this.mvc.perform(get(API + "schedules/nightly-report/fires").with(viewer()).header("X-Tenant", "tenant-b"))
			.andExpect(status().isNotFound());
		this.mvc.perform(delete(API + "schedules/nightly-report").with(admin()).with(csrf()).header("X-Tenant",
				"tenant-b")).andExpect(status().isNotFound());
		this.mvc.perform(get(API + "schedules/nightly-report").with(viewer()).header("X-Tenant", "tenant-a"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.paused").value(false));
	}

	@Test
	void viewerMayReadButNotCreateChangeOrDelete() throws Exception {
		this.mvc.perform(create(NIGHTLY)).andExpect(status().isCreated());

		this.mvc.perform(post(API + "schedules").with(viewer())
			.with(csrf())
			.contentType(MediaType.APPLICATION_JSON)
			.content(NIGHTLY.replace("nightly-report", "other"))).andExpect(status().isForbidden());
		this.mvc.perform(put(API + "schedules/nightly-report").with(viewer())
			.with(csrf())
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"task\": \"jobs.ping\", \"every\": \"1h\"}")).andExpect(status().isForbidden());
		this.mvc.perform(delete(API + "schedules/nightly-report").with(viewer()).with(csrf()))
			.andExpect(status().isForbidden());
		// Without a CSRF token.
		this.mvc.perform(post(API + "schedules").with(admin())
			.contentType(MediaType.APPLICATION_JSON)
			.content(NIGHTLY.replace("nightly-report", "other"))).andExpect(status().isForbidden());
		this.mvc.perform(get(API + "schedules").with(viewer()))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.length()").value(2));
	}

	@Test
	void declaredScheduleIsPausedButNeitherChangedNorDeleted() throws Exception {
		this.mvc.perform(delete(API + "schedules/jobs.nightly").with(admin()).with(csrf()))
			.andExpect(status().isConflict())
			.andExpect(jsonPath("$.detail", containsString("declared in code")));
		this.mvc.perform(put(API + "schedules/jobs.nightly").with(admin())
			.with(csrf())
			.contentType(MediaType.APPLICATION_JSON)
			.content("{\"task\": \"jobs.ping\", \"every\": \"1h\"}")).andExpect(status().isConflict());
		this.mvc.perform(post(API + "schedules/jobs.nightly/pause").with(admin()).with(csrf()))
			.andExpect(status().isOk());
		this.mvc.perform(get(API + "schedules/jobs.nightly").with(viewer()))
			.andExpect(jsonPath("$.declared").value(true))
			.andExpect(jsonPath("$.paused").value(true));
	}

	@Test
	void badInputIsAProblemDetailThatNamesIt() throws Exception {
		this.mvc.perform(create(NIGHTLY)).andExpect(status().isCreated());
		refused(NIGHTLY, "exists already");
		refused("{\"name\": \"x\", \"task\": \"jobs.nope\", \"every\": \"1h\"}", "No task is named 'jobs.nope'");
		refused("{\"name\": \"x\", \"task\": \"jobs.ping\", \"cron\": \"0 25 * * *\"}", "hour");
		refused("{\"name\": \"x\", \"task\": \"jobs.ping\", \"cron\": \"@daily\", \"zone\": \"Mars/Olympus\"}",
				"Zone 'Mars/Olympus'");
		refused("{\"name\": \"x\", \"task\": \"jobs.ping\", \"cron\": \"@daily\", \"every\": \"1h\"}", "not both");
		refused("{\"name\": \"x\", \"task\": \"jobs.ping\", \"every\": \"soon\"}", "Field 'every'");
		refused("{\"name\": \"x\", \"task\": \"jobs.report\", \"every\": \"1h\", \"args\": [1]}", "takes 2 argument(s)");
		refused("{\"name\": \"x\", \"task\": \"jobs.report\", \"every\": \"1h\", \"args\": [\"a\", \"b\"]}",
				"customer");
		refused("{\"name\": \"jobs.nightly\", \"task\": \"jobs.ping\", \"every\": \"1h\"}", "declared");
		refused("{\"task\": \"jobs.ping\", \"every\": \"1h\"}", "Field 'name' is required");
		refused("{\"name\": \"x\", \"task\": \"jobs.ping\", \"every\": \"1h\", \"when\": 1}", "Unknown field 'when'");
		this.mvc.perform(get(API + "schedules").with(viewer())).andExpect(jsonPath("$.length()").value(2));
	}

	private void refused(String body, String detail) throws Exception {
		this.mvc.perform(create(body))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.detail", containsString(detail)));
	}

	private static MockHttpServletRequestBuilder create(String body) {
		return post(API + "schedules").with(admin()).with(csrf()).contentType(MediaType.APPLICATION_JSON).content(body);
	}

	static class Jobs {

		@DelayedTask
		public void report(long customer, String format) {
		}

		@DelayedTask
		public void ping() {
		}

		@CronTask("0 3 * * *")
		public void nightly() {
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
