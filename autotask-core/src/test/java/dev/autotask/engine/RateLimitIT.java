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
import dev.autotask.testsupport.EngineCluster;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.jdbc.core.simple.JdbcClient;

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

	private EngineCluster cluster;

	private TaskClient client;

	@BeforeEach
	void setUp() {
		postgres.jdbc().sql("DROP TABLE IF EXISTS " + starts()).update();
		postgres.jdbc().sql("CREATE TABLE " + starts() + " (task integer, at timestamptz DEFAULT clock_timestamp())").update();
		EngineSettings settings = EngineSettings.builder()
			.schema(postgres.schema())
			.workers(4)
			.queueRateLimits(Map.of("api", new RateLimit(PER_SECOND, Duration.ofSeconds(1))))
			.build();
		this.cluster = new EngineCluster(postgres, settings, List.of("node-a", "node-b", "node-c"),
				(node, dataSource) -> registry(dataSource));
		this.client = new TaskClient(postgres.dataSource(), registry(postgres.dataSource()), new TaskJson(), settings);
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

		await().atMost(Duration.ofMinutes(2)).until(() -> count("SELECT count(*) FROM " + starts()) > MINUTE_OF_STARTS);
		this.cluster.stop();

		// Every window of one second that opens at a start.
		long most = count("SELECT max((SELECT count(*) FROM %1$s AS later WHERE later.at >= s.at"
				+ " AND later.at < s.at + interval '1 second')) FROM %1$s AS s");
		long seconds = count("SELECT floor(extract(epoch FROM max(at) - min(at)))::bigint FROM %1$s");
		// Every whole second from the first start, the first and the last left out.
		long wholeSecondsLeast = count("""
				SELECT min(n) FROM (
					SELECT floor(extract(epoch FROM at - first)) AS second, count(*) AS n
					FROM %1$s, (SELECT min(at) AS first FROM %1$s) AS origin GROUP BY 1) AS per_second
				WHERE second > 0 AND second < (SELECT floor(extract(epoch FROM max(at) - min(at))) FROM %1$s)""");
		assertThat(seconds).as("seconds of starts").isGreaterThanOrEqualTo(59);
		assertThat(most).as("most starts in any second").isLessThanOrEqualTo(PER_SECOND + 1);
		assertThat(wholeSecondsLeast).as("fewest starts in a whole second").isGreaterThanOrEqualTo(PER_SECOND - 1);
		assertThat(count("SELECT count(DISTINCT node_id) FROM " + postgres.schema() + ".autotask_task WHERE node_id IS NOT NULL"))
			.as("nodes that started tasks").isGreaterThan(1);
	}

	@Test
	void aRateLimitOutOfRangeIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> new RateLimit(0, Duration.ofSeconds(1)))
			.withMessage("A rate limit allows at least 1 start per period, got 0");
		assertThatIllegalArgumentException().isThrownBy(() -> new RateLimit(1, Duration.ofDays(2)))
			.withMessage("A rate limit's period must be from 1 ms to 1 day, got PT48H");
	}

	private long count(String sql) {
		return postgres.jdbc().sql(sql.formatted(starts())).query(Long.class).single();
	}

	private TaskRegistry registry(DataSource dataSource) {
		TaskRegistry registry = new TaskRegistry();
		registry.register(TaskDefinition.of("api.call", (args) -> {
			JdbcClient.create(dataSource).sql("INSERT INTO " + starts() + " (task) VALUES (?)").param(args[0]).update();
			return null;
		}, new TaskParameter("n", int.class)).withQueue("api"));
		return registry;
	}

	private static String starts() {
		return postgres.schema() + ".api_starts";
	}

}
