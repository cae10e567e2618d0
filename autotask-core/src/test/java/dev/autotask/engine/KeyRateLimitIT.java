package dev.autotask.engine;

import java.time.Duration;
import java.util.List;

import javax.sql.DataSource;

import dev.autotask.SendOptions;
import dev.autotask.internal.engine.TaskClient;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.task.ConcurrencyKey;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
import dev.autotask.task.TaskRegistry;
import dev.autotask.testsupport.CallLog;
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
 * Rate limits per concurrency key: three engines, with backlogs and workers to spare, start the
 * tasks of each key at the key's pace for a minute, side by side, as the tasks record their
 * starts on the database's clock: never more than one over the limit in any second, never more
 * than one under it in any whole second. Two keys come from an argument, as
 * {@code @DelayedTask(concurrencyKey = "customer", keyRateLimit = "5/1s")} declares them; one
 * from the start's options.
 */
class KeyRateLimitIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final int PER_SECOND = 5;

	private static final int MINUTE_OF_STARTS = 60 * PER_SECOND;

	private static final List<String> KEYS = List.of("customer-a", "customer-b", "partner");

	private CallLog calls;

	private EngineCluster cluster;

	private TaskClient client;

	@BeforeEach
	void setUp() {
		this.calls = new CallLog(postgres, "key_rate_calls");
		EngineSettings settings = EngineSettings.builder().schema(postgres.schema()).workers(4).build();
		this.cluster = new EngineCluster(postgres, settings, List.of("node-a", "node-b", "node-c"),
				(node, dataSource) -> registry(node, dataSource));
		this.client = new TaskClient(postgres.dataSource(), registry("client", postgres.dataSource()), new TaskJson(),
				settings);
	}

	@AfterEach
	void tearDown() {
		this.cluster.close();
	}

	@Test
	void eachKeyStartsAtItsPaceInEverySecondOfAMinuteAcrossThreeNodes() {
		for (int n = 0; n < MINUTE_OF_STARTS + 50; n++) {
			this.client.send("customer.sync", "app", "customer-a", n);
			this.client.send("customer.sync", "app", "customer-b", n);
			this.client.send("partner.push", SendOptions.owner("app").rateLimitKey("partner", PER_SECOND,
					Duration.ofSeconds(1)), n);
		}
		this.cluster.start();

		await().atMost(Duration.ofMinutes(2))
			.until(() -> KEYS.stream().allMatch((key) -> this.calls.starts(key) > MINUTE_OF_STARTS));
		this.cluster.stop();

		for (String key : KEYS) {
			assertThat(this.calls.secondsOfStarts(key)).as("seconds of starts of " + key).isGreaterThanOrEqualTo(59);
			assertThat(this.calls.mostStartsInASecond(key)).as("most starts of " + key + " in any second")
				.isLessThanOrEqualTo(PER_SECOND + 1);
			assertThat(this.calls.fewestStartsInAWholeSecond(key)).as("fewest starts of " + key + " in a whole second")
				.isGreaterThanOrEqualTo(PER_SECOND - 1);
		}
		assertThat(this.calls.nodes("%")).as("nodes that started tasks").isGreaterThan(1);
		assertThat(postgres.jdbc()
			.sql("SELECT max(attempt) FROM " + postgres.schema() + ".autotask_task WHERE status <> 'PENDING'")
			.query(Integer.class)
			.single()).as("attempts spent").isEqualTo(1);
	}

	@Test
	void aKeyRateNeedsAKeyAndAKeyNeedsALimit() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.client.send("partner.push",
					SendOptions.owner("app").keyRateLimit(5, Duration.ofSeconds(1)), 1))
			.withMessage("Task 'partner.push' sent with keyRateLimit but no concurrencyKey: say which tasks share"
					+ " the rate with a concurrency key");
		assertThatIllegalArgumentException().isThrownBy(() -> SendOptions.owner("app").keyRateLimit(0, Duration.ofSeconds(1)))
			.withMessage("A key's rate limit must allow at least 1 start per period, got 0");
		assertThatIllegalArgumentException().isThrownBy(() -> new ConcurrencyKey("customer", 0, 0, null))
			.withMessage("Concurrency key 'customer' has neither a limit on running tasks nor a rate limit");
	}

	@Test
	void aKeyFromANullArgumentIsRefusedAndNothingIsEnqueued() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.client.send("customer.sync", "app", null, 1))
			.withMessage("Task 'customer.sync' takes its concurrency key from argument 'customer', which must be 1 to"
					+ " 200 characters, got null");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.client.sendAll("customer.sync", SendOptions.owner("app"),
					List.of(new Object[] { "customer-a", 1 }, new Object[] { "", 2 })))
			.withMessageStartingWith("Task 1 of the batch of 2 ('customer.sync') was refused, nothing was enqueued:");
		assertThat(postgres.jdbc().sql("SELECT count(*) FROM " + postgres.schema() + ".autotask_task")
			.query(Long.class).single()).isZero();
	}

	@Test
	void aKeyRateFasterThanOneStartAMicrosecondIsKeptAsOne() {
		TaskRegistry registry = new TaskRegistry();
		registry.register(TaskDefinition.of("fast", (args) -> null, new TaskParameter("key", String.class))
			.withConcurrencyKey(new ConcurrencyKey("key", 0, 2000, Duration.ofMillis(1))));
		new TaskClient(postgres.dataSource(), registry, new TaskJson(),
				EngineSettings.builder().schema(postgres.schema()).build())
			.send("fast", "app", "k");

		// 500 ns between starts would be 0 µs, which the keyed claim divides by.
		assertThat(postgres.jdbc().sql("SELECT key_rate_micros FROM " + postgres.schema() + ".autotask_task")
			.query(Long.class).single()).isOne();
	}

	@Test
	void aDefinitionsKeyMustNameOneOfItsParameters() {
		TaskDefinition task = TaskDefinition.of("customer.sync", (args) -> null, new TaskParameter("customer", String.class));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> task.withConcurrencyKey(new ConcurrencyKey("customerId", 1, 0, null)))
			.withMessage("Concurrency key of task 'customer.sync' (customer.sync) names 'customerId', which is not one"
					+ " of its parameters [java.lang.String customer]");
	}

	private TaskRegistry registry(String node, DataSource dataSource) {
		TaskRegistry registry = new TaskRegistry();
		registry.register(TaskDefinition.of("customer.sync",
				(args) -> this.calls.call(dataSource, node, (String) args[0], (Integer) args[1], Duration.ofMillis(10)),
				new TaskParameter("customer", String.class), new TaskParameter("n", int.class))
			.withConcurrencyKey(new ConcurrencyKey("customer", 0, PER_SECOND, Duration.ofSeconds(1))));
		registry.register(TaskDefinition.of("partner.push",
				(args) -> this.calls.call(dataSource, node, "partner", (Integer) args[0], Duration.ofMillis(10)),
				new TaskParameter("n", int.class)));
		return registry;
	}

}
