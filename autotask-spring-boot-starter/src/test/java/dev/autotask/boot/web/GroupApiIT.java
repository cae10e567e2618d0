package dev.autotask.boot.web;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import dev.autotask.Autotask;
import dev.autotask.SendOptions;
import dev.autotask.TaskFailure;
import dev.autotask.TaskGroup;
import dev.autotask.TaskQuery;
import dev.autotask.TaskStatus;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.boot.testsupport.ApplicationDatabase;
import dev.autotask.boot.testsupport.TaskApi;
import dev.autotask.testsupport.PostgresExtension;
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

import static dev.autotask.boot.testsupport.TaskApi.TASKS;
import static dev.autotask.boot.testsupport.TaskApi.mockMvc;
import static dev.autotask.boot.testsupport.TaskApi.otherUser;
import static dev.autotask.boot.testsupport.TaskApi.viewer;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * Groups of tasks through the REST API, on a real PostgreSQL with the engine running: a group
 * that ran shows its counts and its callback, the owner's groups are listed newest first a page
 * at a time, a member names its group and a search by group finds the members, another owner's
 * group is not found, a user with neither of autotask's roles reads none, and the page's script
 * for them is served under its Content-Security-Policy.
 */
@SpringBootTest(classes = GroupApiIT.Config.class,
		properties = { "autotask.poll-interval=1m", "spring.application.name=shop" })
class GroupApiIT {

	private static final String GROUPS = "/autotask/api/groups";

	@RegisterExtension
	@ApplicationDatabase
	static final PostgresExtension postgres = PostgresExtension.empty();

	private final MockMvc mvc;

	private final Autotask autotask;

	GroupApiIT(@Autowired WebApplicationContext context, @Autowired Autotask autotask) {
		this.mvc = mockMvc(context);
		this.autotask = autotask;
	}

	@Test
	void aGroupThatRanShowsItsCountsAndItsCallback() throws Exception {
		TaskGroup group = sendAndAwaitCallback("tenant-a", 1, 2, 3, 4);
		long callback = this.autotask.group(group.id(), "tenant-a").orElseThrow().callbackTaskId();

		this.mvc.perform(get(GROUPS + "/" + group.id()).with(viewer()))
			.andExpect(status().isOk())
			.andExpect(content().contentType(MediaType.APPLICATION_JSON))
			.andExpect(jsonPath("$.id").value(group.id()))
			.andExpect(jsonPath("$.total").value(4))
			.andExpect(jsonPath("$.ended").value(4))
			.andExpect(jsonPath("$.succeeded").value(3))
			.andExpect(jsonPath("$.failed").value(1))
			.andExpect(jsonPath("$.cancelled").value(0))
			.andExpect(jsonPath("$.done").value(true))
			.andExpect(jsonPath("$.createdAt").isString())
			.andExpect(jsonPath("$.callbackTaskId").value(callback))
			.andExpect(jsonPath("$.callbackStatus").value("SUCCESS"));
		this.mvc.perform(get(TASKS + "/" + callback).with(viewer()))
			.andExpect(jsonPath("$.args[0].succeeded").value(3))
			.andExpect(jsonPath("$.groupId").isEmpty());
	}

	@Test
	void theOwnersGroupsAreListedNewestFirstAPageAtATime() throws Exception {
		TaskGroup first = sendAndAwaitCallback("tenant-a", 1);
		TaskGroup others = sendAndAwaitCallback("tenant-b", 1);
		TaskGroup second = sendAndAwaitCallback("tenant-a", 3);

		this.mvc.perform(get(GROUPS).param("limit", "1").with(viewer()))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.groups.length()").value(1))
			.andExpect(jsonPath("$.groups[0].id").value(second.id()))
			.andExpect(jsonPath("$.groups[0].failed").value(1))
			.andExpect(jsonPath("$.next").value(second.id()));
		this.mvc.perform(get(GROUPS).param("limit", "1").param("before", String.valueOf(second.id())).with(viewer()))
			.andExpect(jsonPath("$.groups[0].id").value(first.id()))
			.andExpect(jsonPath("$.groups[0].succeeded").value(1));
		this.mvc.perform(get(GROUPS).with(viewer()))
			.andExpect(jsonPath("$.groups[*].id", not(hasItem((int) others.id()))))
			.andExpect(jsonPath("$.next").isEmpty());
		this.mvc.perform(get(GROUPS).param("limit", "0").with(viewer()))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.detail", containsString("limit must be between 1 and 500, was 0")));
	}

	@Test
	void aMemberNamesItsGroupAndASearchByGroupFindsTheMembers() throws Exception {
		TaskGroup group = sendAndAwaitCallback("tenant-a", 1, 2);
		sendAndAwaitCallback("tenant-a", 5);
		List<Long> members = this.autotask.find(TaskQuery.builder().group(group.id()).build(), "tenant-a")
			.tasks()
			.stream()
			.map((task) -> task.id())
			.toList();

		this.mvc.perform(get(TASKS + "/" + members.get(0)).with(viewer()))
			.andExpect(jsonPath("$.groupId").value(group.id()));
		this.mvc.perform(get(TASKS + "/search").param("group", String.valueOf(group.id())).with(viewer()))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.tasks.length()").value(2))
			.andExpect(jsonPath("$.tasks[0].groupId").value(group.id()))
			.andExpect(jsonPath("$.tasks[1].groupId").value(group.id()))
			.andExpect(jsonPath("$.counts.SUCCESS").value(2));
		this.mvc.perform(get(TASKS + "/search").param("group", "x").with(viewer()))
			.andExpect(status().isBadRequest());
	}

	@Test
	void anotherOwnersGroupLooksLikeAnUnknownOne() throws Exception {
		TaskGroup group = sendAndAwaitCallback("tenant-a", 1);

		this.mvc.perform(get(GROUPS + "/" + group.id()).with(viewer()).header("X-Tenant", "tenant-b"))
			.andExpect(status().isNotFound())
			.andExpect(content().contentType(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.detail").value("No group " + group.id() + " was found"));
		this.mvc.perform(get(GROUPS + "/" + (group.id() + 1000)).with(viewer())).andExpect(status().isNotFound());
		this.mvc.perform(get(GROUPS + "/0").with(viewer())).andExpect(status().isNotFound());
		this.mvc.perform(get(GROUPS + "/x").with(viewer()))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.detail").value("A group id is a whole number"));
		this.mvc.perform(get(GROUPS).with(viewer()).header("X-Tenant", "tenant-b"))
			.andExpect(jsonPath("$.groups[*].id", not(hasItem((int) group.id()))));
	}

	@Test
	void aUserWithNeitherRoleReadsNoGroup() throws Exception {
		TaskGroup group = sendAndAwaitCallback("tenant-a", 1);

		this.mvc.perform(get(GROUPS + "/" + group.id()).with(otherUser())).andExpect(status().isForbidden());
		this.mvc.perform(get(GROUPS).with(otherUser())).andExpect(status().isForbidden());
		this.mvc.perform(get(GROUPS)).andExpect(status().isUnauthorized());
	}

	@Test
	void groupsScriptIsServedToViewersUnderThePagesContentSecurityPolicy() throws Exception {
		this.mvc.perform(get("/autotask/").with(viewer()))
			.andExpect(content().string(containsString("<script src=\"groups.js\" defer></script>")))
			.andExpect(content().string(containsString("id=\"groups-view\"")));
		this.mvc.perform(get("/autotask/groups.js").with(viewer()))
			.andExpect(status().isOk())
			.andExpect(header().string("Content-Security-Policy", containsString("script-src 'self'")))
			.andExpect(content().contentTypeCompatibleWith("text/javascript"))
			.andExpect(content().string(containsString("function loadGroups")));
	}

	private TaskGroup sendAndAwaitCallback(String owner, int... rows) {
		List<Object[]> args = Arrays.stream(rows).mapToObj((row) -> new Object[] { row }).toList();
		TaskGroup group = this.autotask.sendGroup("imports.row", SendOptions.owner(owner), args, "imports.done");
		await().atMost(Duration.ofSeconds(20)).until(() -> {
			Long callback = this.autotask.group(group.id(), owner).orElseThrow().callbackTaskId();
			return callback != null
					&& this.autotask.status(callback, owner).orElseThrow().status() == TaskStatus.SUCCESS;
		});
		return group;
	}

	public static class Imports {

		/** Fails row 3, at once. */
		@DelayedTask(name = "imports.row", retries = 0)
		public void row(int row) {
			if (row == 3) {
				throw new TaskFailure("row 3 is malformed");
			}
		}

		@DelayedTask(name = "imports.done")
		public void done(TaskGroup group) {
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class Config {

		@Bean
		Imports imports() {
			return new Imports();
		}

		/** Two tenants, told apart by a header; tenant-a when it is missing. */
		@Bean
		OwnerResolver ownerResolver() {
			return TaskApi.tenantHeader("tenant-a");
		}

	}

}
