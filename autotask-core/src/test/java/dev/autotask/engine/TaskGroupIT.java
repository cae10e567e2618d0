package dev.autotask.engine;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import dev.autotask.GroupInfo;
import dev.autotask.SendOptions;
import dev.autotask.TaskFailure;
import dev.autotask.TaskGroup;
import dev.autotask.TaskInfo;
import dev.autotask.TaskPage;
import dev.autotask.TaskQuery;
import dev.autotask.TaskStatus;
import dev.autotask.internal.engine.TaskClient;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.EngineCluster;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Groups of tasks with a callback: ten thousand members run on three engines and the callback
 * runs once, with the counts; ends by cancel and delete count, a retry before the callback
 * uncounts; an owner's groups are listed newest first, its alone; members name their group and
 * are found by it; a bad group is refused with nothing inserted.
 */
class TaskGroupIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final int MEMBERS = 10_000;

	private EngineCluster cluster;

	private final AtomicInteger callbacks = new AtomicInteger();

	private final AtomicReference<TaskGroup> calledWith = new AtomicReference<>();

	private EngineSettings settings;

	private TaskClient client;

	@BeforeEach
	void setUp() {
		this.settings = EngineSettings.builder().schema(postgres.schema()).build();
		this.client = new TaskClient(postgres.dataSource(), registry(), new TaskJson(), this.settings);
	}

	@AfterEach
	void tearDown() {
		if (this.cluster != null) {
			this.cluster.close();
		}
	}

	@Test
	void tenThousandMembersOnThreeEnginesCallBackOnceWithTheirCounts() {
		List<Object[]> rows = IntStream.range(0, MEMBERS).mapToObj((n) -> new Object[] { n }).toList();
		TaskGroup sent = this.client.sendGroup("imports.row", SendOptions.owner("app"), rows, "imports.done");
		assertThat(sent).isEqualTo(new TaskGroup(sent.id(), MEMBERS, 0, 0, 0, null));
		this.cluster = new EngineCluster(postgres, this.settings, List.of("node-a", "node-b", "node-c"),
				(node, dataSource) -> registry());
		this.cluster.start();

		await().atMost(Duration.ofMinutes(3)).until(() -> this.callbacks.get() > 0);
		// Stopping waits for running tasks: a second callback, if any, has been counted.
		this.cluster.stop();

		assertThat(this.callbacks).as("callbacks").hasValue(1);
		assertThat(this.calledWith.get()).isEqualTo(new TaskGroup(sent.id(), MEMBERS, MEMBERS - 10, 10, 0, null));
		TaskGroup done = this.client.group(sent.id(), "app").orElseThrow();
		assertThat(done.done()).isTrue();
		assertThat(done.callbackTaskId()).isNotNull();
		assertThat(this.client.status(done.callbackTaskId(), "app").orElseThrow().status())
			.isEqualTo(TaskStatus.SUCCESS);
		assertThat(this.client.group(sent.id(), "other")).as("another owner's group").isEmpty();
	}

	@Test
	void cancelsAndDeletesCountAsEndsAndARetryBeforeTheCallbackUncounts() {
		SendOptions later = SendOptions.owner("app").delay(Duration.ofHours(1));
		TaskGroup group = this.client.sendGroup("imports.row", later, List.of(new Object[] { 1 }, new Object[] { 2 },
				new Object[] { 3 }, new Object[] { 4 }), "imports.done");
		List<Long> members = members(group);

		this.client.cancel(members.get(0), "app");
		this.client.delete(members.get(1), "app");
		end(members.get(2), "FAILURE");
		assertThat(this.client.group(group.id(), "app")).contains(new TaskGroup(group.id(), 4, 0, 1, 2, null));

		this.client.retry(members.get(2), "app");
		assertThat(this.client.group(group.id(), "app")).contains(new TaskGroup(group.id(), 4, 0, 0, 2, null));

		end(members.get(2), "SUCCESS");
		end(members.get(3), "SUCCESS");
		TaskGroup done = this.client.group(group.id(), "app").orElseThrow();
		assertThat(done).isEqualTo(new TaskGroup(group.id(), 4, 2, 0, 2, done.callbackTaskId()));
		assertThat(this.client.status(done.callbackTaskId(), "app").orElseThrow().args())
			.isEqualTo("[{\"id\": " + group.id() + ", \"total\": 4, \"failed\": 0, \"cancelled\": 2, \"succeeded\": 2, \"callbackTaskId\": null}]");

		// Done: an end after the callback changes nothing.
		this.client.retry(members.get(0), "app");
		assertThat(this.client.group(group.id(), "app")).contains(done);
	}

	@Test
	void groupsListsTheOwnersGroupsNewestFirstAPageAtATimeWithTheirCallbacks() {
		SendOptions later = SendOptions.owner("app").delay(Duration.ofHours(1));
		List<Object[]> two = List.of(new Object[] { 1 }, new Object[] { 2 });
		TaskGroup first = this.client.sendGroup("imports.row", later, two, "imports.done");
		TaskGroup others = this.client.sendGroup("imports.row", SendOptions.owner("other"), two, "imports.done");
		TaskGroup second = this.client.sendGroup("imports.row", later, two, "imports.done");
		TaskGroup third = this.client.sendGroup("imports.row", later, two, "imports.done");
		members(first).forEach((id) -> end(id, "SUCCESS"));

		List<GroupInfo> newest = this.client.groups("app", null, 2);
		assertThat(newest).extracting((info) -> info.group().id()).containsExactly(third.id(), second.id());
		assertThat(newest.get(0).createdAt()).isNotNull();
		assertThat(newest.get(0).callbackStatus()).isNull();
		List<GroupInfo> older = this.client.groups("app", second.id(), 2);
		assertThat(older).extracting((info) -> info.group().id()).containsExactly(first.id());
		GroupInfo done = older.get(0);
		assertThat(done.group()).isEqualTo(new TaskGroup(first.id(), 2, 2, 0, 0, done.group().callbackTaskId()));
		assertThat(done.callbackStatus()).isEqualTo(TaskStatus.PENDING);

		assertThat(this.client.groups("other", null, 10)).extracting((info) -> info.group().id())
			.containsExactly(others.id());
		assertThat(this.client.groups("nobody", null, 10)).isEmpty();
		assertThatIllegalArgumentException().isThrownBy(() -> this.client.groups("app", null, 0))
			.withMessageContaining("limit must be between 1 and 500, was 0");
	}

	@Test
	void aMemberNamesItsGroupAndASearchByGroupFindsTheMembersAlone() {
		SendOptions later = SendOptions.owner("app").delay(Duration.ofHours(1));
		List<Object[]> three = List.of(new Object[] { 1 }, new Object[] { 2 }, new Object[] { 3 });
		TaskGroup group = this.client.sendGroup("imports.row", later, three, "imports.done");
		TaskGroup another = this.client.sendGroup("imports.row", later, three, "imports.done");
		long alone = this.client.send("imports.row", later, 4).id();
		List<Long> members = members(group);
		end(members.get(0), "FAILURE");

		assertThat(this.client.status(members.get(0), "app").orElseThrow().groupId()).isEqualTo(group.id());
		assertThat(this.client.status(alone, "app").orElseThrow().groupId()).isNull();
		TaskPage page = this.client.find(TaskQuery.builder().group(group.id()).build(), "app");
		assertThat(page.tasks()).extracting(TaskInfo::id).containsExactlyInAnyOrderElementsOf(members);
		assertThat(page.counts()).containsEntry(TaskStatus.PENDING, 2L).containsEntry(TaskStatus.FAILURE, 1L);
		assertThat(this.client.find(TaskQuery.builder().group(another.id()).status(TaskStatus.FAILURE).build(), "app")
			.tasks()).isEmpty();
		assertThat(this.client.find(TaskQuery.builder().group(group.id()).build(), "other").tasks())
			.as("another owner's search").isEmpty();
	}

	@Test
	void aBadGroupIsRefusedWithNothingInserted() {
		List<Object[]> one = List.<Object[]>of(new Object[] { 1 });
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.client.sendGroup("imports.row", SendOptions.owner("app"), one, "imports.row"))
			.withMessageContaining("Callback task 'imports.row' must take one parameter, a TaskGroup");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.client.sendGroup("imports.row", SendOptions.owner("app"), one, "nope"))
			.withMessageContaining("No task is named 'nope'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.client.sendGroup("imports.row", SendOptions.owner("app"), List.of(), "imports.done"))
			.withMessageContaining("A group has 1 to 100000 members, got 0");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.client.sendGroup("imports.row", SendOptions.owner("app"),
					List.<Object[]>of(new Object[] { "x" }), "imports.done"))
			.withMessageContaining("Task 0 of the batch of 1 ('imports.row') was refused");
		assertThat(count("autotask_task") + count("autotask_group")).isZero();
	}

	private TaskRegistry registry() {
		TaskRegistry registry = new TaskRegistry();
		registry.register(TaskDefinition.of("imports.row", (args) -> {
			if ((Integer) args[0] % 1000 == 0) {
				throw new TaskFailure("row " + args[0] + " is malformed");
			}
			return null;
		}, new TaskParameter("row", int.class)));
		registry.register(TaskDefinition.of("imports.done", (args) -> {
			this.calledWith.set((TaskGroup) args[0]);
			this.callbacks.incrementAndGet();
			return null;
		}, new TaskParameter("group", TaskGroup.class)));
		return registry;
	}

	private List<Long> members(TaskGroup group) {
		return postgres.jdbc()
			.sql("SELECT id FROM " + postgres.schema() + ".autotask_task WHERE group_id = ? ORDER BY id")
			.param(group.id())
			.query(Long.class)
			.list();
	}

	// As the completer ends a task.
	private void end(long id, String status) {
		postgres.jdbc()
			.sql("UPDATE " + postgres.schema() + ".autotask_task SET status = ?, finished_at = now() WHERE id = ?")
			.params(status, id)
			.update();
	}

	private long count(String table) {
		return postgres.jdbc().sql("SELECT count(*) FROM " + postgres.schema() + "." + table).query(Long.class).single();
	}

}
