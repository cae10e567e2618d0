package dev.autotask.engine;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import dev.autotask.Autotask;
import dev.autotask.SendOptions;
import dev.autotask.TaskInfo;
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

/**
 * A unique key held for a period even after its task ended ({@code uniqueFor}), and a debounce
 * ({@code replace}): a second start with the key gives a pending first task its arguments and
 * delay. The engine does not run: the tests put the tasks in the states they need.
 */
class UniqueForAndReplaceIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private final TaskRegistry registry = new TaskRegistry();

	@RegisterExtension
	final EngineExtension node = new EngineExtension(postgres, this.registry, (settings) -> settings);

	private Autotask autotask;

	@BeforeEach
	void setUp() {
		this.registry.register(TaskDefinition.of("mail.remind", (args) -> null, new TaskParameter("customer", long.class)));
		this.autotask = this.node.client();
	}

	@Test
	void aKeyHeldForAPeriodReturnsTheFirstTaskEvenAfterItEndedThenLetsANewOneStart() {
		SendOptions daily = SendOptions.owner("a").uniqueKey("customer-42").uniqueFor(Duration.ofDays(1));
		long first = this.autotask.send("mail.remind", daily, 42L).id();
		setStatus(first, "SUCCESS");

		assertThat(this.autotask.send("mail.remind", daily, 42L).id()).as("within the day, ended").isEqualTo(first);
		assertThat(this.autotask.send("mail.remind", SendOptions.owner("b").uniqueKey("customer-42")
			.uniqueFor(Duration.ofDays(1)), 42L).id()).as("another owner's key").isNotEqualTo(first);
		assertThat(this.autotask.send("mail.remind", SendOptions.owner("a").uniqueKey("customer-42"), 42L).id())
			.as("without a period, an ended task holds no key").isNotEqualTo(first);

		postgres.jdbc()
			.sql("UPDATE " + table() + " SET created_at = now() - interval '25 hours', status = 'SUCCESS'")
			.update();
		long second = this.autotask.send("mail.remind", daily, 42L).id();
		assertThat(second).as("a day later").isNotEqualTo(first);
		assertThat(rows()).isEqualTo(4);
	}

	@Test
	void concurrentStartsWithAKeyHeldForAPeriodMakeOneTask() throws Exception {
		SendOptions hourly = SendOptions.owner("a").uniqueKey("k").uniqueFor(Duration.ofHours(1));
		ExecutorService senders = Executors.newFixedThreadPool(8);
		try {
			List<Callable<Long>> sends = IntStream.range(0, 32)
				.<Callable<Long>>mapToObj((i) -> () -> this.autotask.send("mail.remind", hourly, (long) i).id())
				.toList();
			List<Long> ids = senders.invokeAll(sends).stream().map(UniqueForAndReplaceIT::get).distinct().toList();
			assertThat(ids).hasSize(1);
		}
		finally {
			senders.shutdown();
		}
		assertThat(rows()).isEqualTo(1);
	}

	@Test
	void replaceGivesAPendingTaskTheLatestArgumentsAndDelayButLeavesARunningOneAlone() {
		SendOptions debounced = SendOptions.owner("a").uniqueKey("doc-7").delay(Duration.ofHours(1)).replace();
		long first = this.autotask.send("mail.remind", debounced, 1L).id();
		TaskInfo before = status(first);

		assertThat(this.autotask.send("mail.remind", debounced, 2L).id()).isEqualTo(first);
		TaskInfo replaced = status(first);
		assertThat(replaced.args()).isEqualTo("[2]");
		assertThat(replaced.runAt()).isAfterOrEqualTo(before.runAt());

		assertThat(this.autotask.send("mail.remind", debounced.uniqueFor(Duration.ofHours(1)), 3L).id())
			.isEqualTo(first);
		assertThat(status(first).args()).as("replaced under a period too").isEqualTo("[3]");

		setStatus(first, "RUNNING");
		assertThat(this.autotask.send("mail.remind", debounced, 4L).id()).isEqualTo(first);
		assertThat(status(first).args()).as("a running task keeps its arguments").isEqualTo("[3]");
		assertThat(rows()).isEqualTo(1);
	}

	@Test
	void withoutReplaceTheFirstTaskKeepsItsArguments() {
		SendOptions unique = SendOptions.owner("a").uniqueKey("doc-7");
		long first = this.autotask.send("mail.remind", unique, 1L).id();

		assertThat(this.autotask.send("mail.remind", unique, 2L).id()).isEqualTo(first);
		assertThat(status(first).args()).isEqualTo("[1]");
	}

	@Test
	void aPeriodOrAReplaceWithoutAKeyOrAPeriodOutOfRangeIsRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.autotask.send("mail.remind", SendOptions.owner("a").uniqueFor(Duration.ofHours(1)), 1L))
			.withMessageContaining("sent with uniqueFor but no uniqueKey");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.autotask.send("mail.remind", SendOptions.owner("a").replace(), 1L))
			.withMessageContaining("sent with replace but no uniqueKey");
		assertThatIllegalArgumentException().isThrownBy(() -> SendOptions.owner("a").uniqueFor(Duration.ZERO))
			.withMessage("uniqueFor must be between 1 ms and 3650 days, got PT0S");
		assertThat(rows()).isZero();
	}

	private TaskInfo status(long id) {
		return this.autotask.status(id, "a").orElseThrow();
	}

	private void setStatus(long id, String status) {
		postgres.jdbc()
			.sql("UPDATE " + table() + " SET status = :status, node_id = 'n' WHERE id = :id")
			.param("status", status)
			.param("id", id)
			.update();
	}

	private long rows() {
		return postgres.jdbc().sql("SELECT count(*) FROM " + table()).query(Long.class).single();
	}

	private static long get(Future<Long> id) {
		try {
			return id.get();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String table() {
		return postgres.schema() + ".autotask_task";
	}

}
