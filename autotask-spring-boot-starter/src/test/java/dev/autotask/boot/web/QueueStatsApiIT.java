package dev.autotask.boot.web;

import java.time.Duration;
import java.util.List;

import com.jayway.jsonpath.JsonPath;
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
import static dev.autotask.boot.testsupport.TaskApi.startRequest;
import static dev.autotask.boot.testsupport.TaskApi.viewer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.is;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * {@code GET /queues/{name}/stats}, the points of the page's charts, on a real PostgreSQL: the
 * caller's owner's ends only, an hour by the minute or a day by the quarter hour, problem details
 * for a bad window, and open to viewers.
 */
@SpringBootTest(classes = QueueStatsApiIT.Config.class,
		properties = { "autotask.poll-interval=200ms", "autotask.worker-monitor-interval=200ms",
				"spring.application.name=shop" })
class QueueStatsApiIT {

	private static final String STATS = "/autotask/api/queues/mail/stats";

	@RegisterExtension
	@ApplicationDatabase
	static final PostgresExtension postgres = PostgresExtension.empty();

	private MockMvc mvc;

	@BeforeEach
	void setUp(WebApplicationContext context) {
		this.mvc = mockMvc(context);
	}

	@Test
	void statsCountTheCallersOwnersEndsInTheQueue() throws Exception {
		for (int i = 0; i < 3; i++) {
			this.mvc.perform(startRequest("{\"name\": \"mail.send\"}")).andExpect(status().isAccepted());
		}
		this.mvc.perform(startRequest("{\"name\": \"mail.bounce\"}")).andExpect(status().isAccepted());
		this.mvc.perform(startRequest("{\"name\": \"mail.send\"}").header("X-Tenant", "other"))
			.andExpect(status().isAccepted());

		// Each owner's tasks end on their own; wait for both before reading either.
		await().atMost(Duration.ofSeconds(15))
			.untilAsserted(() -> assertThat(totals(get(STATS).with(viewer()))).containsExactly(3L, 1L));
		await().atMost(Duration.ofSeconds(15))
			.untilAsserted(() -> assertThat(totals(get(STATS).with(admin()).header("X-Tenant", "other")))
				.containsExactly(1L, 0L));
		assertThat(totals(get(STATS).with(admin()).header("X-Tenant", "nobody"))).containsExactly(0L, 0L);
	}

	@Test
	void windowIsAnHourByTheMinuteUnlessADayIsAsked() throws Exception {
		// A queue no task uses has points all the same, with nothing in them.
		this.mvc.perform(get("/autotask/api/queues/idle/stats").with(viewer()))
			.andExpect(status().isOk())
			.andExpect(content().contentType(MediaType.APPLICATION_JSON))
			.andExpect(jsonPath("$.queue").value("idle"))
			.andExpect(jsonPath("$.window").value("PT1H"))
			.andExpect(jsonPath("$.step").value("PT1M"))
			.andExpect(jsonPath("$.points.length()").value(60))
			.andExpect(jsonPath("$.points[*].succeeded", everyItem(is(0))));
		this.mvc.perform(get(STATS).param("window", "P1D").with(viewer()))
			.andExpect(jsonPath("$.window").value("PT24H"))
			.andExpect(jsonPath("$.step").value("PT15M"))
			.andExpect(jsonPath("$.points.length()").value(96));
	}

	@Test
	void badWindowIsAProblemDetail() throws Exception {
		this.mvc.perform(get(STATS).param("window", "1 hour").with(admin()))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.detail", containsString("Query parameter 'window' must be an ISO-8601 duration")))
			.andExpect(jsonPath("$.detail", containsString("got '1 hour'")));
		this.mvc.perform(get(STATS).param("window", "P2D").with(admin()))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.detail", containsString("from PT1M (a minute) to P1D (a day), got PT48H")));
	}

	@Test
	void chartsScriptIsServedToViewersUnderThePagesContentSecurityPolicy() throws Exception {
		this.mvc.perform(get("/autotask/").with(viewer()))
			.andExpect(content().string(containsString("<script src=\"charts.js\" defer></script>")))
			.andExpect(content().string(containsString("id=\"queue-charts\"")));
		this.mvc.perform(get("/autotask/charts.js").with(viewer()))
			.andExpect(status().isOk())
			.andExpect(header().string("Content-Security-Policy", containsString("script-src 'self'")))
			.andExpect(content().contentTypeCompatibleWith("text/javascript"))
			.andExpect(content().string(containsString("drawQueueCharts")));
	}

	private List<Long> totals(MockHttpServletRequestBuilder request) throws Exception {
		String body = this.mvc.perform(request).andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
		List<Number> succeeded = JsonPath.read(body, "$.points[*].succeeded");
		List<Number> failed = JsonPath.read(body, "$.points[*].failed");
		return List.of(succeeded.stream().mapToLong(Number::longValue).sum(),
				failed.stream().mapToLong(Number::longValue).sum());
	}

	public static class Mail {

		@DelayedTask(name = "mail.send", queue = "mail")
		public void send() {
		}

		@DelayedTask(name = "mail.bounce", queue = "mail", retries = 0)
		public void bounce() {
			throw new IllegalStateException("bounced");
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class Config {

		@Bean
		Mail mail() {
			return new Mail();
		}

		@Bean
		OwnerResolver ownerResolver() {
			return TaskApi.tenantHeader("shop");
		}

	}

}
