package dev.autotask.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.autotask.Autotask;
import dev.autotask.BulkResult;
import dev.autotask.SendOptions;
import dev.autotask.TaskAction;
import dev.autotask.TaskHandle;
import dev.autotask.TaskInfo;
import dev.autotask.TaskPage;
import dev.autotask.TaskQuery;
import dev.autotask.TaskStatus;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.EngineExtension;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * What an operator does from the console, through the API: find tasks across all names, page
 * through them, count them by status, and retry, run now, cancel or delete one or all that match.
 */
class TaskConsoleIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private final TaskRegistry registry = new TaskRegistry();

	@RegisterExtension
	final EngineExtension node = new EngineExtension(postgres, this.registry,
			(settings) -> settings.workers(2).pollInterval(Duration.ofSeconds(30)));

	private final AtomicInteger runs = new AtomicInteger();

	private Autotask autotask;

	private Engine engine;

	@BeforeEach
	void setUp() {
		this.registry.register(TaskDefinition.of("mail.send", (args) -> {
			this.runs.incrementAndGet();
			return null;
		}, new TaskParameter("customer", long.class)));
		this.registry.register(
				TaskDefinition.of("report", (args) -> null, new TaskParameter("title", String.class)).withQueue("slow"));
		this.autotask = this.node.client();
		this.engine = this.node.engine();
	}

	@Test
	void findMatchesEveryCriterionAndPagesNewestFirstByKeyset() {
		List<Long> mails = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			mails.add(send("mail.send", "a", i));
		}
		long report = this.autotask.send("report", SendOptions.owner("a"), "Q3").id();
		long failed = ended(mails.get(1), "FAILURE", "SMTP refused: 550");
		ended(mails.get(2), "SUCCESS", null);

		assertThat(ids(TaskQuery.all())).containsExactly(report, mails.get(4), mails.get(3), mails.get(2),
				mails.get(1), mails.get(0));
		assertThat(ids(TaskQuery.builder().name("mail.send").status(TaskStatus.PENDING).build()))
			.containsExactly(mails.get(4), mails.get(3), mails.get(0));
		assertThat(ids(TaskQuery.builder().queue("slow").build())).containsExactly(report);
		assertThat(ids(TaskQuery.builder().status(TaskStatus.FAILURE, TaskStatus.SUCCESS).build()))
			.containsExactly(mails.get(2), failed);
		assertThat(ids(TaskQuery.builder().finishedFrom(Instant.now().minus(Duration.ofHours(1))).build()))
			.containsExactly(mails.get(2), failed);
		assertThat(ids(TaskQuery.builder().finishedTo(Instant.now().minus(Duration.ofHours(1))).build())).isEmpty();
		assertThat(ids(TaskQuery.builder().createdTo(Instant.now().minus(Duration.ofHours(1))).build())).isEmpty();
		assertThat(ids(TaskQuery.builder().createdFrom(Instant.now().minus(Duration.ofHours(1))).build()))
			.hasSize(6);

		TaskPage first = this.autotask.find(TaskQuery.builder().name("mail.send").limit(2).build(), "a");
		assertThat(first.tasks()).extracting(TaskInfo::id).containsExactly(mails.get(4), mails.get(3));
		assertThat(first.next()).isEqualTo(mails.get(3));
		TaskPage second = this.autotask.find(TaskQuery.builder().name("mail.send").limit(2).before(first.next()).build(),
				"a");
		assertThat(second.tasks()).extracting(TaskInfo::id).containsExactly(mails.get(2), mails.get(1));
		TaskPage last = this.autotask.find(TaskQuery.builder().name("mail.send").limit(2).before(second.next()).build(),
				"a");
		assertThat(last.tasks()).extracting(TaskInfo::id).containsExactly(mails.get(0));
		assertThat(last.next()).isNull();
	}

	@Test
	void countsAreByStatusForTheOtherCriteriaWhateverStatusesAreChosen() {
		for (int i = 0; i < 4; i++) {
			send("mail.send", "a", i);
		}
		ended(send("mail.send", "a", 9), "FAILURE", "boom");
		send("report", "a", 0);

		TaskQuery failures = TaskQuery.builder().name("mail.send").status(TaskStatus.FAILURE).limit(1).build();
		TaskPage page = this.autotask.find(failures, "a");

		assertThat(page.tasks()).hasSize(1);
		assertThat(page.counts()).isEqualTo(Map.of(TaskStatus.PENDING, 4L, TaskStatus.FAILURE, 1L));
		assertThat(page.total(failures)).isEqualTo(1);
		assertThat(page.total(failures.toBuilder().status().build())).isEqualTo(5);
	}

	@Test
	void aPageCountsUpToTheCapAndCountCountsEveryMatch() {
		insertFailures("mail.send", "a", (int) TaskPage.COUNT_CAP + 50);
		send("mail.send", "a", 1);

		TaskPage page = this.autotask.find(TaskQuery.builder().name("mail.send").build(), "a");

		assertThat(page.counts()).isEqualTo(Map.of(TaskStatus.FAILURE, TaskPage.COUNT_CAP, TaskStatus.PENDING, 1L));
		assertThat(page.capped(TaskStatus.FAILURE)).isTrue();
		assertThat(page.capped(TaskStatus.PENDING)).isFalse();
		assertThat(this.autotask.count(TaskQuery.builder().name("mail.send").status(TaskStatus.PENDING).build(), "a"))
			.isEqualTo(Map.of(TaskStatus.FAILURE, TaskPage.COUNT_CAP + 50, TaskStatus.PENDING, 1L));
		assertThat(this.autotask.count(TaskQuery.all(), "b")).isEmpty();
	}

	@Test
	void pagingGoesOnFromATaskDeletedMeanwhile() {
		List<Long> mails = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			mails.add(ended(send("mail.send", "a", i), "SUCCESS", null));
		}
		TaskPage first = this.autotask.find(TaskQuery.builder().limit(2).build(), "a");
		assertThat(first.next()).isEqualTo(mails.get(3));

		this.autotask.delete(first.next(), "a");

		assertThat(ids(TaskQuery.builder().limit(2).before(first.next()).build())).containsExactly(mails.get(2),
				mails.get(1));
	}

	@Test
	void tasksSentInOneTransactionPageAndActInIdOrder() {
		insertFailures("mail.send", "a", 7);
		List<Long> all = ids(TaskQuery.all());
		assertThat(all).hasSize(7).isSortedAccordingTo((x, y) -> Long.compare(y, x));

		TaskPage first = this.autotask.find(TaskQuery.builder().limit(4).build(), "a");
		assertThat(ids(TaskQuery.builder().before(first.next()).build())).isEqualTo(all.subList(4, 7));
	}

	@Test
	void argumentsAreFoundByContainmentAndErrorsByTextTakenLiterally() {
		long customer42 = send("mail.send", "a", 42);
		send("mail.send", "a", 7);
		long percent = ended(send("mail.send", "a", 8), "FAILURE", "Quota at 100% for customer_8");
		ended(send("mail.send", "a", 9), "FAILURE", "Quota at 1000 for customer 9");

		assertThat(ids(TaskQuery.builder().argsContain("[42]").build())).containsExactly(customer42);
		assertThat(ids(TaskQuery.builder().argsContain(" [ 42 ] ").build())).containsExactly(customer42);
		assertThat(ids(TaskQuery.builder().errorContains("QUOTA").build())).hasSize(2);
		// LIKE's wildcards in the text are plain characters.
		assertThat(ids(TaskQuery.builder().errorContains("100%").build())).containsExactly(percent);
		assertThat(ids(TaskQuery.builder().errorContains("customer_").build())).containsExactly(percent);
	}

	@Test
	void anErrorMessageLongerThanWhatTheIndexCarriesIsFoundByTextNearItsEnd() {
		// The index carries a message's first 500 characters (V22): beyond them, and across the
		// cut, the search reads the rest from the task's error.
		String head = "Partner refused the batch: " + "x".repeat(460);
		String message = head + " across the CUT " + "y".repeat(300) + " for customer Quota-End 42";
		this.registry.register(TaskDefinition.of("partner.sync", (args) -> {
			throw new IllegalStateException(message);
		}).withRetries(0));
		this.engine.start();
		long failed = this.autotask.send("partner.sync", SendOptions.owner("a")).id();
		long other = ended(send("mail.send", "a", 1), "FAILURE", head + "y".repeat(400));
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.autotask.status(failed, "a").orElseThrow().status() == TaskStatus.FAILURE);
		assertThat(this.autotask.status(failed, "a").orElseThrow().error().message()).isEqualTo(message);

		assertThat(ids(TaskQuery.builder().errorContains("quota-end 42").build())).containsExactly(failed);
		assertThat(ids(TaskQuery.builder().errorContains("across the cut").build())).containsExactly(failed);
		assertThat(ids(TaskQuery.builder().errorContains("partner REFUSED").build())).containsExactly(other, failed);
		assertThat(ids(TaskQuery.builder().errorContains("y for customer").build())).containsExactly(failed);
		assertThat(ids(TaskQuery.builder().errorContains("customer 43").build())).isEmpty();
		assertThat(this.autotask.find(TaskQuery.builder().errorContains("QUOTA-END").build(), "a").counts())
			.isEqualTo(Map.of(TaskStatus.FAILURE, 1L));
	}

	@Test
	void onlyTheOwnersTasksAreFoundCountedOrActedOn() {
		long mine = ended(send("mail.send", "a", 1), "FAILURE", "boom");
		long theirs = ended(send("mail.send", "b", 1), "FAILURE", "boom");

		TaskPage page = this.autotask.find(TaskQuery.all(), "a");
		assertThat(page.tasks()).extracting(TaskInfo::id).containsExactly(mine);
		assertThat(page.counts()).isEqualTo(Map.of(TaskStatus.FAILURE, 1L));

		assertThat(this.autotask.retry(theirs, "a")).isEmpty();
		assertThat(this.autotask.delete(theirs, "a")).isEmpty();
		assertThat(this.autotask.runNow(theirs, "a")).isEmpty();
		assertThat(this.autotask.bulk(TaskAction.RETRY, TaskQuery.all(), "a")).isEqualTo(new BulkResult(1, 1));
		assertThat(this.autotask.status(theirs, "b").orElseThrow().status()).isEqualTo(TaskStatus.FAILURE);
	}

	@Test
	void queriesOutOfRangeAreRefusedNamingTheCriterion() {
		assertThatIllegalArgumentException().isThrownBy(() -> TaskQuery.builder().limit(0).build())
			.withMessageContaining("limit");
		assertThatIllegalArgumentException().isThrownBy(() -> TaskQuery.builder().limit(501).build())
			.withMessageContaining("limit");
		assertThatIllegalArgumentException().isThrownBy(() -> TaskQuery.builder().name(" ").build())
			.withMessageContaining("name");
		assertThatIllegalArgumentException().isThrownBy(() -> TaskQuery.builder().queue("q".repeat(101)).build())
			.withMessageContaining("queue");
		assertThatIllegalArgumentException().isThrownBy(() -> TaskQuery.builder().before(0L).build())
			.withMessageContaining("before");
		Instant now = Instant.now();
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TaskQuery.builder().createdFrom(now).createdTo(now).build())
			.withMessageContaining("createdFrom");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.autotask.find(TaskQuery.builder().argsContain("{oops").build(), "a"))
			.withMessageContaining("argsContain");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.autotask.find(TaskQuery.builder().argsContain("42").build(), "a"))
			.withMessageContaining("argsContain must be a JSON object or array");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.autotask.find(TaskQuery.builder().argsContain("[]").build(), "a"))
			.withMessage("argsContain must hold at least one value, was []");
	}

	@Test
	void retryGivesAFailedTaskOneMoreAttemptUnderTheSameIdAndItRuns() {
		long id = ended(send("mail.send", "a", 1), "FAILURE", "SMTP refused");
		TaskInfo before = this.autotask.status(id, "a").orElseThrow();
		this.engine.start();

		assertThat(this.autotask.retry(id, "a")).contains(TaskStatus.PENDING);

		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.autotask.status(id, "a").orElseThrow().status() == TaskStatus.SUCCESS);
		TaskInfo after = this.autotask.status(id, "a").orElseThrow();
		assertThat(after.attempt()).isEqualTo(before.attempt() + 1);
		assertThat(after.maxAttempts()).isEqualTo(before.attempt() + 1);
		assertThat(this.runs).hasValue(1);
	}

	@Test
	void retryLeavesATaskThatHasNotEndedOrWhoseUniqueKeyIsTakenAsItIs() {
		long pending = send("mail.send", "a", 1);
		assertThat(this.autotask.retry(pending, "a")).contains(TaskStatus.PENDING);
		assertThat(this.autotask.status(pending, "a").orElseThrow().attempt()).isZero();

		long keyed = this.autotask.send("mail.send", SendOptions.owner("a").uniqueKey("k"), 2L).id();
		ended(keyed, "FAILURE", "boom");
		long again = this.autotask.send("mail.send", SendOptions.owner("a").uniqueKey("k"), 2L).id();
		assertThat(again).isNotEqualTo(keyed);

		assertThat(this.autotask.retry(keyed, "a")).contains(TaskStatus.FAILURE);
		assertThat(this.autotask.retry(404_404L, "a")).isEmpty();
	}

	@Test
	void runNowMakesADelayedTaskDueAndTheEngineRunsItAtOnce() {
		this.engine.start();
		long id = this.autotask.send("mail.send", SendOptions.owner("a").delay(Duration.ofHours(1)), 1L).id();

		// PENDING, or RUNNING already: the notification wakes the engine as the change commits.
		assertThat(this.autotask.runNow(id, "a")).isPresent();

		// The poll interval is 30 s: only the notification brings it this soon.
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.autotask.status(id, "a").orElseThrow().status() == TaskStatus.SUCCESS);
	}

	@Test
	void deleteRemovesATaskThatDoesNotRunButNotARunningOne() {
		long failed = ended(send("mail.send", "a", 1), "FAILURE", "boom");
		long running = send("mail.send", "a", 2);
		postgres.jdbc()
			.sql("UPDATE " + table() + " SET status = 'RUNNING', node_id = 'n', started_at = now() WHERE id = ?")
			.param(running)
			.update();

		assertThat(this.autotask.delete(failed, "a")).contains(TaskStatus.FAILURE);
		assertThat(this.autotask.status(failed, "a")).isEmpty();
		assertThat(this.autotask.delete(running, "a")).contains(TaskStatus.RUNNING);
		assertThat(this.autotask.status(running, "a")).isPresent();
	}

	@Test
	void bulkRetryActsOnEveryMatchInBatchesAndLeavesTheRestAlone() {
		insertFailures("mail.send", "a", 2_500);
		insertFailures("report", "a", 10);
		long pending = send("mail.send", "a", 1);

		TaskQuery query = TaskQuery.builder().name("mail.send").limit(5).before(pending).build();
		BulkResult result = this.autotask.bulk(TaskAction.RETRY, query, "a");

		assertThat(result).isEqualTo(new BulkResult(2_500, 2_500));
		TaskPage page = this.autotask.find(TaskQuery.builder().name("mail.send").build(), "a");
		assertThat(page.counts()).isEqualTo(Map.of(TaskStatus.PENDING, 2_501L));
		assertThat(this.autotask.find(TaskQuery.builder().name("report").build(), "a").counts())
			.isEqualTo(Map.of(TaskStatus.FAILURE, 10L));
	}

	@Test
	void bulkActionsApplyOnlyToTheStatusesEachActsOn() {
		long delayed = this.autotask.send("mail.send", SendOptions.owner("a").delay(Duration.ofHours(1)), 1L).id();
		long failed = ended(send("mail.send", "a", 2), "FAILURE", "boom");
		long succeeded = ended(send("mail.send", "a", 3), "SUCCESS", null);

		assertThat(this.autotask.bulk(TaskAction.RUN_NOW, TaskQuery.all(), "a")).isEqualTo(new BulkResult(1, 1));
		assertThat(this.autotask.status(delayed, "a").orElseThrow().runAt()).isBefore(Instant.now().plusSeconds(60));

		// The query's statuses narrow the action's own: no task is both PENDING and SUCCESS.
		assertThat(this.autotask.bulk(TaskAction.CANCEL, TaskQuery.builder().status(TaskStatus.SUCCESS).build(), "a"))
			.isEqualTo(new BulkResult(0, 0));
		assertThat(this.autotask.bulk(TaskAction.CANCEL, TaskQuery.all(), "a")).isEqualTo(new BulkResult(1, 1));
		assertThat(this.autotask.status(delayed, "a").orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);

		assertThat(this.autotask.bulk(TaskAction.DELETE, TaskQuery.builder().status(TaskStatus.FAILURE).build(), "a"))
			.isEqualTo(new BulkResult(1, 1));
		assertThat(this.autotask.status(failed, "a")).isEmpty();
		assertThat(this.autotask.status(succeeded, "a")).isPresent();
	}

	private long send(String name, String owner, long arg) {
		TaskHandle<Object> handle = name.equals("report")
				? this.autotask.send(name, SendOptions.owner(owner), "r" + arg)
				: this.autotask.send(name, SendOptions.owner(owner), arg);
		return handle.id();
	}

	private long ended(long id, String status, String message) {
		postgres.jdbc()
			.sql("UPDATE " + table() + " SET status = :status, attempt = 1, finished_at = now(),"
					+ " expires_at = now() + ttl, error = CASE WHEN CAST(:message AS text) IS NULL THEN NULL"
					+ " ELSE jsonb_build_object('type', 'java.lang.IllegalStateException', 'message', CAST(:message AS text)) END,"
					+ " error_search = left(lower(CAST(:message AS text)), 500) WHERE id = :id")
			.param("status", status)
			.param("message", message)
			.param("id", id)
			.update();
		return id;
	}

	private void insertFailures(String name, String owner, int count) {
		postgres.jdbc()
			.sql("INSERT INTO " + table() + " (name, owner, args, status, attempt, max_attempts, ttl, finished_at,"
					+ " expires_at, error, error_search) SELECT :name, :owner, '[1]', 'FAILURE', 1, 1, interval '1 day', now(),"
					+ " now() + interval '1 day', '{\"type\": \"x\", \"message\": \"boom\"}', 'boom' FROM generate_series(1, :count)")
			.param("name", name)
			.param("owner", owner)
			.param("count", count)
			.update();
	}

	private List<Long> ids(TaskQuery query) {
		return this.autotask.find(query, "a").tasks().stream().map(TaskInfo::id).toList();
	}

	private static String table() {
		return postgres.schema() + ".autotask_task";
	}

}
