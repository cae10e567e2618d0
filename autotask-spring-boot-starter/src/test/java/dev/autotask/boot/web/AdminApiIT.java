package dev.autotask.boot.web;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import com.jayway.jsonpath.JsonPath;
import dev.autotask.TaskContext;
import dev.autotask.TaskHandle;
import dev.autotask.annotation.CronTask;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.annotation.PeriodicTask;
import dev.autotask.boot.testsupport.ApplicationDatabase;
import dev.autotask.boot.testsupport.TaskApi;
import dev.autotask.boot.testsupport.TaskWaits;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskRows;
import org.junit.jupiter.api.AfterEach;
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
import static dev.autotask.boot.testsupport.TaskApi.id;
import static dev.autotask.boot.testsupport.TaskApi.mockMvc;
import static dev.autotask.boot.testsupport.TaskApi.startRequest;
import static dev.autotask.boot.testsupport.TaskApi.viewer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * What the admin page reads and does through the REST API, on a real PostgreSQL: history,
 * cancel, run again, "start as", task kinds and example arguments, queues with pause and
 * resume, nodes and the leader, and the page itself with its Content-Security-Policy.
 */
@SpringBootTest(classes = AdminApiIT.Config.class,
		properties = { "autotask.poll-interval=1m", "spring.application.name=shop", "autotask.history.per-task=3",
				"autotask.ui.service-users=billing-bot", "autotask.queues.blocking.concurrency=1" })
class AdminApiIT {

	private static final String API = "/autotask/api/";

	@RegisterExtension
	@ApplicationDatabase
	static final PostgresExtension postgres = PostgresExtension.empty();

	@Autowired
	Jobs jobs;

	private final TaskRows rows = new TaskRows(postgres);

	private MockMvc mvc;

	@BeforeEach
	void setUp(WebApplicationContext context) {
		this.mvc = mockMvc(context);
		this.jobs.close();
	}

	@AfterEach
	void release() {
		this.jobs.open();
	}

	@Test
	void historyListsTheLastRunsOfATaskNewestFirstUpToTheConfiguredNumber() throws Exception {
		long first = start("{\"name\": \"jobs.echo\", \"args\": [\"one\"]}");
		awaitStatus(first, "SUCCESS");
		long second = start("{\"name\": \"jobs.echo\", \"args\": [\"two\"]}");
		awaitStatus(second, "SUCCESS");
		long third = start("{\"name\": \"jobs.echo\", \"args\": [\"three\"]}");
		awaitStatus(third, "SUCCESS");
		long fourth = start("{\"name\": \"jobs.echo\", \"args\": [\"four\"]}");
		awaitStatus(fourth, "SUCCESS");

		this.mvc.perform(get(API + "tasks").param("name", "jobs.echo").with(admin()))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.length()").value(3))
			.andExpect(jsonPath("$[0].id").value(fourth))
			.andExpect(jsonPath("$[0].result").value("echo four"))
			.andExpect(jsonPath("$[0].args[0]").value("four"))
			.andExpect(jsonPath("$[0].startedBy").value("ann"))
			.andExpect(jsonPath("$[2].id").value(second));
		this.mvc.perform(get(API + "tasks").param("name", "jobs.echo").param("limit", "1").with(admin()))
			.andExpect(jsonPath("$.length()").value(1));
	}

	@Test
	void historyNeedsTheNameOfARegisteredTaskAndASensibleLimit() throws Exception {
		this.mvc.perform(get(API + "tasks").with(admin()))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.detail", containsString("Query parameter 'name' is required")));
		this.mvc.perform(get(API + "tasks").param("name", "<b>jobs</b>").with(admin()))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.detail", containsString("No task is named '<b>jobs</b>'")));
		this.mvc.perform(get(API + "tasks").param("name", "jobs.echo").param("limit", "0").with(admin()))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.detail", containsString("History limit must be 1 to 1000, got 0")));
		this.mvc.perform(get(API + "tasks").param("name", "jobs.echo").param("limit", "many").with(admin()))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.detail").value("Parameter 'limit' is a whole number"));
	}

	@Test
	void pendingTaskIsCancelledAndAnotherOwnersOrAnUnknownOneIsNotFound() throws Exception {
		long id = start("{\"name\": \"jobs.block\"}");
		awaitStatus(id, "RUNNING");
		long pending = start("{\"name\": \"jobs.block\"}");

		this.mvc.perform(post(API + "tasks/" + pending + "/cancel").with(admin()).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.status").value("CANCELLED"));
		this.mvc.perform(post(API + "tasks/" + id + "/cancel").with(admin()).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.status").value("RUNNING"));
		this.mvc.perform(post(API + "tasks/" + pending + "/cancel").with(admin()).with(csrf()).header("X-Tenant", "other"))
			.andExpect(status().isNotFound())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON));
		this.mvc.perform(post(API + "tasks/999999/cancel").with(admin()).with(csrf())).andExpect(status().isNotFound());
		assertThat(this.rows.column(pending, "status")).isEqualTo("CANCELLED");
	}

	@Test
	void runAgainStartsANewTaskWithTheSameArgumentsAsTheCaller() throws Exception {
		long id = start("{\"name\": \"jobs.echo\", \"args\": {\"text\": \"again\"}}");
		awaitStatus(id, "SUCCESS");

		long again = id(this.mvc
			.perform(post(API + "tasks/" + id + "/run-again").with(user("bob").roles("AUTOTASK_ADMIN")).with(csrf()))
			.andExpect(status().isAccepted())
			.andExpect(header().exists("Location"))
			.andReturn());

		assertThat(again).isNotEqualTo(id);
		awaitStatus(again, "SUCCESS");
		this.mvc.perform(get(API + "tasks/" + again).with(admin()))
			.andExpect(jsonPath("$.args[0]").value("again"))
			.andExpect(jsonPath("$.result").value("echo again"))
			.andExpect(jsonPath("$.startedBy").value("bob"));
		this.mvc.perform(post(API + "tasks/" + id + "/run-again").with(admin()).with(csrf()).header("X-Tenant", "other"))
			.andExpect(status().isNotFound());
	}

	@Test
	void startAsAConfiguredServiceUserIsRecordedAndAnyOtherIsRefused() throws Exception {
		long id = start("{\"name\": \"jobs.whoami\", \"startAs\": \"billing-bot\"}");
		awaitStatus(id, "SUCCESS");
		this.mvc.perform(get(API + "tasks/" + id).with(admin()))
			.andExpect(jsonPath("$.startedBy").value("billing-bot"))
			.andExpect(jsonPath("$.result").value("billing-bot"));

		long before = this.rows.count();
		this.mvc.perform(startRequest("{\"name\": \"jobs.whoami\", \"startAs\": \"root\"}"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.detail", containsString("No service user is named 'root'")));
		this.mvc.perform(startRequest("{\"name\": \"jobs.whoami\", \"startAs\": 5}"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.detail", containsString("Field 'startAs' must be the name of a service user")));
		assertThat(this.rows.count()).isEqualTo(before);
	}

	@Test
	void taskTypesTellTheKindScheduleAndAnExampleOfTheArguments() throws Exception {
		this.mvc.perform(get(API + "task-types").with(admin()))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$[?(@.name == 'jobs.echo')].kind").value("delayed"))
			.andExpect(jsonPath("$[?(@.name == 'jobs.echo')].example.text").value(""))
			.andExpect(jsonPath("$[?(@.name == 'jobs.plan')].example.day").value("2026-01-31"))
			.andExpect(jsonPath("$[?(@.name == 'jobs.plan')].example.slot.hours").value(0))
			.andExpect(jsonPath("$[?(@.name == 'jobs.plan')].example.slot.kind").value("MORNING"))
			.andExpect(jsonPath("$[?(@.name == 'jobs.plan')].example.tags").value(hasItem(List.of())))
			.andExpect(jsonPath("$[?(@.name == 'jobs.tick')].kind").value("periodic"))
			.andExpect(jsonPath("$[?(@.name == 'jobs.tick')].schedule").value("every 1h"))
			.andExpect(jsonPath("$[?(@.name == 'jobs.tick')].nextFire").isNotEmpty())
			.andExpect(jsonPath("$[?(@.name == 'jobs.nightly')].kind").value("cron"))
			.andExpect(jsonPath("$[?(@.name == 'jobs.nightly')].schedule").value(hasItem(startsWith("0 3 * * *"))));
	}

	@Test
	void exampleArgumentsAreAcceptedAsTheyStand() throws Exception {
		String types = this.mvc.perform(get(API + "task-types").with(admin()))
			.andReturn()
			.getResponse()
			.getContentAsString();
		List<Object> example = JsonPath.read(types, "$[?(@.name == 'jobs.plan')].example");

		long id = start("{\"name\": \"jobs.plan\", \"args\": "
				+ new tools.jackson.databind.json.JsonMapper().writeValueAsString(example.get(0)) + "}");

		awaitStatus(id, "SUCCESS");
	}

	@Test
	void scheduleIsPausedAndResumedAndItsFiresListedButNotByAViewer() throws Exception {
		try {
			this.mvc.perform(post(API + "schedules/jobs.nightly/pause").with(viewer()).with(csrf()))
				.andExpect(status().isForbidden());
			this.mvc.perform(post(API + "schedules/jobs.nightly/pause").with(admin()).with(csrf()))
				.andExpect(status().isOk())
				.andExpect(jsonPath("$[?(@.name == 'jobs.nightly')].paused").value(hasItem(true)));
			this.mvc.perform(get(API + "task-types").with(viewer()))
				.andExpect(jsonPath("$[?(@.name == 'jobs.nightly')].paused").value(hasItem(true)));
			// The nightly cron has not fired yet: only the mark a new schedule counts from is recorded.
			this.mvc.perform(get(API + "schedules/jobs.nightly/fires").with(viewer()))
				.andExpect(status().isOk())
				.andExpect(jsonPath("$[*].taskId").value(everyItem(nullValue())));
		}
		finally {
			this.mvc.perform(post(API + "schedules/jobs.nightly/resume").with(admin()).with(csrf()))
				.andExpect(status().isOk())
				.andExpect(jsonPath("$[?(@.name == 'jobs.nightly')].paused").value(hasItem(false)));
		}
	}

	@Test
	void scheduleOfATaskThatIsNotScheduledIsNotFound() throws Exception {
		this.mvc.perform(post(API + "schedules/jobs.echo/pause").with(admin()).with(csrf()))
			.andExpect(status().isNotFound())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.detail", containsString("No periodic or cron task is named 'jobs.echo'")));
		this.mvc.perform(get(API + "schedules/nope/fires").with(viewer())).andExpect(status().isNotFound());
		this.mvc.perform(get(API + "schedules/jobs.nightly/fires").param("limit", "0").with(viewer()))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.detail", containsString("limit")));
	}

	@Test
	void queuesArePausedAndResumedAcrossTheClusterAndCountedByStatus() throws Exception {
		this.mvc.perform(post(API + "queues/slow/pause").with(admin()).with(csrf()))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$[?(@.name == 'slow')].paused").value(true));
		long id = start("{\"name\": \"jobs.later\"}");

		this.mvc.perform(get(API + "queues").with(admin()))
			.andExpect(jsonPath("$[?(@.name == 'slow')].counts.PENDING").value(1))
			.andExpect(jsonPath("$[?(@.name == 'slow')].counts.FAILURE").value(0));
		assertThat(this.rows.column(id, "status")).isEqualTo("PENDING");

		this.mvc.perform(post(API + "queues/slow/resume").with(admin()).with(csrf()))
			.andExpect(jsonPath("$[?(@.name == 'slow')].paused").value(false));
		awaitStatus(id, "SUCCESS");
		this.mvc.perform(post(API + "queues/" + "q".repeat(101) + "/pause").with(admin()).with(csrf()))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.detail", containsString("Queue name must be 1 to 100 characters")));
	}

	@Test
	void pauseOrResumeOfAQueueNoTaskUsesIsNotFoundAndStoresNothing() throws Exception {
		for (String path : new String[] { "queues/x' OR 1=1/pause", "queues/nightly/resume" }) {
			this.mvc.perform(post(API + path).with(admin()).with(csrf()))
				.andExpect(status().isNotFound())
				.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
				.andExpect(jsonPath("$.detail", startsWith("No task uses a queue named '")));
		}

		this.mvc.perform(get(API + "queues").with(admin()))
			.andExpect(jsonPath("$[?(@.name == \"x' OR 1=1\")]").isEmpty())
			.andExpect(jsonPath("$[?(@.name == 'nightly')]").isEmpty());
		assertThat(postgres.jdbc().sql("SELECT count(*) FROM autotask_queue").query(Long.class).single()).isZero();
	}

	@Test
	void queueCountsAreTheCallersOwnersOnly() throws Exception {
		this.mvc.perform(post(API + "queues/slow/pause").with(admin()).with(csrf())).andExpect(status().isOk());
		start("{\"name\": \"jobs.later\"}");
		this.mvc.perform(startRequest("{\"name\": \"jobs.later\"}").header("X-Tenant", "other"))
			.andExpect(status().isAccepted());
		this.mvc.perform(startRequest("{\"name\": \"jobs.later\"}").header("X-Tenant", "other"))
			.andExpect(status().isAccepted());

		this.mvc.perform(get(API + "queues").with(admin()))
			.andExpect(jsonPath("$[?(@.name == 'slow')].counts.PENDING").value(1));
		this.mvc.perform(get(API + "queues").with(admin()).header("X-Tenant", "other"))
			.andExpect(jsonPath("$[?(@.name == 'slow')].counts.PENDING").value(2));
		// An owner without tasks sees the queues, paused or not, and no one's tasks in them.
		this.mvc.perform(post(API + "queues/slow/resume").with(admin()).with(csrf()).header("X-Tenant", "nobody"))
			.andExpect(jsonPath("$[?(@.name == 'slow')].counts.PENDING").value(0))
			.andExpect(jsonPath("$[?(@.name == 'slow')].paused").value(false));
	}

	@Test
	void nodesListThisNodeAsLeaderAndCallerSaysWhatTheUserMayDo() throws Exception {
		await().atMost(Duration.ofSeconds(15))
			.untilAsserted(() -> this.mvc.perform(get(API + "nodes").with(admin()))
				.andExpect(jsonPath("$.leader").isNotEmpty())
				.andExpect(jsonPath("$.nodes[0].leader").value(true))
				.andExpect(jsonPath("$.nodes[0].workers").isNumber())
				.andExpect(jsonPath("$.nodes[0].running").isNumber())
				.andExpect(jsonPath("$.nodes[0].claimedAhead").isNumber()));
		this.mvc.perform(get(API + "caller").with(admin()))
			.andExpect(jsonPath("$.user").value("ann"))
			.andExpect(jsonPath("$.canStart").value(true))
			.andExpect(jsonPath("$.serviceUsers[0]").value("billing-bot"))
			.andExpect(jsonPath("$.historyPerTask").value(3));
		this.mvc.perform(get(API + "caller").with(viewer()))
			.andExpect(jsonPath("$.canStart").value(false));
	}

	@Test
	void pageAndItsAssetsAreServedFromTheJarWithAStrictContentSecurityPolicy() throws Exception {
		this.mvc.perform(get("/autotask").with(admin()))
			.andExpect(status().isFound())
			.andExpect(header().string("Location", "./autotask/"));
		this.mvc.perform(get("/autotask/").with(admin()))
			.andExpect(status().isOk())
			.andExpect(content().contentTypeCompatibleWith(MediaType.TEXT_HTML))
			.andExpect(header().string("Content-Security-Policy", containsString("script-src 'self'")))
			.andExpect(header().string("Referrer-Policy", "no-referrer"))
			.andExpect(content().string(containsString("<script src=\"admin.js\" defer></script>")));
		this.mvc.perform(get("/autotask/admin.js").with(admin()))
			.andExpect(status().isOk())
			.andExpect(header().string("Referrer-Policy", "no-referrer"))
			.andExpect(content().contentTypeCompatibleWith("text/javascript"))
			.andExpect(content().string(containsString("textContent")));
		this.mvc.perform(get("/autotask/admin.css").with(admin())).andExpect(status().isOk());
		this.mvc.perform(get("/autotask/other.js").with(admin())).andExpect(status().isNotFound());
	}

	private long start(String body) throws Exception {
		return TaskApi.start(this.mvc, startRequest(body));
	}

	private void awaitStatus(long id, String status) {
		TaskWaits.awaitStatus(this.rows, id, status);
	}

	public enum Kind {

		MORNING, EVENING

	}

	public record Slot(int hours, Kind kind) {
	}

	public static class Jobs {

		private volatile CountDownLatch release = new CountDownLatch(1);

		@DelayedTask
		public TaskHandle<String> echo(String text) {
			return TaskHandle.completed("echo " + text);
		}

		@DelayedTask(queue = "blocking")
		public void block() throws InterruptedException {
			this.release.await();
		}

		public void open() {
			this.release.countDown();
		}

		public void close() {
			this.release = new CountDownLatch(1);
		}

		@DelayedTask
		public TaskHandle<String> whoami(TaskContext context) {
			return TaskHandle.completed(context.startedBy());
		}

		@DelayedTask
		public TaskHandle<String> plan(LocalDate day, Slot slot, List<String> tags) {
			return TaskHandle.completed(day + " " + slot + " " + tags);
		}

		@DelayedTask(queue = "slow")
		public void later() {
		}

		@PeriodicTask(every = "1h")
		public void tick() {
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
