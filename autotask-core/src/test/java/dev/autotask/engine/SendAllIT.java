package dev.autotask.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import dev.autotask.SendOptions;
import dev.autotask.TaskHandle;
import dev.autotask.TaskStatus;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.EngineExtension;
import dev.autotask.testsupport.PostgresExtension;
import dev.autotask.testsupport.TaskCounts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * {@code sendAll}: one statement for many tasks, all or nothing, inside the caller's transaction.
 */
class SendAllIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final String OWNER = "app-a";

	private final TaskRegistry registry = new TaskRegistry();

	// A poll interval far longer than any wait below: only the batch's NOTIFY starts the tasks.
	@RegisterExtension
	final EngineExtension node = new EngineExtension(postgres, this.registry, (settings) -> settings.workers(2)
		.pollInterval(Duration.ofMinutes(1)));

	private TaskCounts counts;

	@BeforeEach
	void setUp() {
		this.registry.register(TaskDefinition.of("square", (args) -> TaskHandle.completed((Integer) args[0] * (Integer) args[0]),
				new TaskParameter("n", Integer.class)).withResultType(Integer.class));
		this.counts = new TaskCounts(postgres);
	}

	@Test
	void enqueuesEveryTaskInOrderAndWakesTheNodes() {
		this.node.engine().start();

		List<TaskHandle<Object>> handles = this.node.client().sendAll("square", SendOptions.owner(OWNER).priority(3).startedBy("batch-bot"),
				IntStream.range(0, 300).mapToObj((n) -> new Object[] { n }).toList());

		assertThat(handles).hasSize(300);
		await().atMost(Duration.ofSeconds(20)).until(() -> this.counts.withStatus("SUCCESS") == 300);
		for (int n = 0; n < 300; n += 37) {
			TaskHandle<Object> handle = handles.get(n).refresh();
			assertThat(handle.status()).isEqualTo(TaskStatus.SUCCESS);
			assertThat(handle.result()).isEqualTo(n * n);
			assertThat(this.node.client().status(handle.id(), OWNER).orElseThrow().args()).isEqualTo("[" + n + "]");
			assertThat(this.node.client().status(handle.id(), OWNER).orElseThrow().startedBy()).isEqualTo("batch-bot");
		}
	}

	@Test
	void joinsTheCallersTransaction() {
		TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(postgres.dataSource()));

		transaction.executeWithoutResult((status) -> {
			this.node.client().sendAll("square", SendOptions.owner(OWNER), List.of(new Object[] { 1 }, new Object[] { 2 }));
			status.setRollbackOnly();
		});

		assertThat(this.counts.withStatus("PENDING")).isZero();
	}

	@Test
	void refusesTheWholeBatchNamingTheBadElement() {
		List<Object[]> args = new ArrayList<>();
		args.add(new Object[] { 1 });
		args.add(new Object[] { 2 });
		args.add(new Object[] { "three" });
		args.add(new Object[] { 4 });

		assertThatIllegalArgumentException().isThrownBy(() -> this.node.client().sendAll("square", SendOptions.owner(OWNER), args))
			.withMessageContaining("Task 2 of the batch of 4")
			.withMessageContaining("nothing was enqueued")
			.withMessageContaining("'n'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.node.client().sendAll("square", SendOptions.owner(OWNER),
					List.of(new Object[] { 1 }, new Object[] { 1, 2 })))
			.withMessageContaining("Task 1 of the batch of 2");
		assertThatIllegalArgumentException().isThrownBy(
				() -> this.node.client().sendAll("square", SendOptions.owner(OWNER).uniqueKey("k"), List.<Object[]>of(new Object[] { 1 })))
			.withMessageContaining("no unique key");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.node.client().sendAll("nope", SendOptions.owner(OWNER), List.<Object[]>of(new Object[] { 1 })));
		assertThat(this.counts.withStatus("PENDING")).isZero();
	}

	@Test
	void acceptsAnEmptyBatch() {
		assertThat(this.node.client().sendAll("square", SendOptions.owner(OWNER), List.of())).isEmpty();
	}

}
