package dev.autotask.engine;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.autotask.internal.engine.TaskClient;
import dev.autotask.internal.json.TaskJson;
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
 * A queue whose starts are limited across the cluster: three engines, with a backlog and workers
 * to spare, start its tasks at the limit's pace for a minute, as the tasks themselves record
 * their starts on the database's clock: never more than one over the limit in any period, never
 * more than one under it in any whole period, spread evenly rather than in bursts.
 */
class RateLimitIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	private static final int PER_SECOND = 5;

	private static final int MINUTE_OF_STARTS = 60 * PER_SECOND;

	private CallLog calls;

	private EngineCluster cluster;

	private TaskClient client;

	@BeforeEach
	void setUp() {
		this.calls = new CallLog(postgres, "api_calls");
		EngineSettings settings = EngineSettings.builder()
			.schema(postgres.schema())
			.workers(4)
			.queueRateLimits(Map.of("api", new RateLimit(PER_SECOND, Duration.ofSeconds(1))))
			.build();
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
	void startsKeepToTheLimitInEveryPeriodOfAMinuteAcrossThreeNodes() {
		for (int n = 0; n < MINUTE_OF_STARTS + 100; n++) {
			this.client.send("api.call", "app", n);
		}
		this.cluster.start();

		await().atMost(Duration.ofMinutes(2)).until(() -> this.calls.starts("api") > MINUTE_OF_STARTS);
		this.cluster.stop();

		assertThat(this.calls.secondsOfStarts("api")).as("seconds of starts").isGreaterThanOrEqualTo(59);
		assertThat(this.calls.mostStartsInASecond("api")).as("most starts in any second")
			.isLessThanOrEqualTo(PER_SECOND + 1);
		assertThat(this.calls.fewestStartsInAWholeSecond("api")).as("fewest starts in a whole second")
			.isGreaterThanOrEqualTo(PER_SECOND - 1);
		assertThat(this.calls.nodes("api")).as("nodes that started tasks").isGreaterThan(1);
	}

	@Test
	void aRateLimitOutOfRangeIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> new RateLimit(0, Duration.ofSeconds(1)))
			.withMessage("A rate limit allows at least 1 start per period, got 0");
		assertThatIllegalArgumentException().isThrownBy(() -> new RateLimit(1, Duration.ofDays(2)))
			.withMessage("A rate limit's period must be from 1 ms to 1 day, got PT48H");
	}

	private TaskRegistry registry(String node, DataSource dataSource) {
		TaskRegistry registry = new TaskRegistry();
		registry.register(TaskDefinition.of("api.call",
				(args) -> this.calls.call(dataSource, node, "api", (Integer) args[0], Duration.ZERO),
				new TaskParameter("n", int.class))
			.withQueue("api"));
		return registry;
	}

}
