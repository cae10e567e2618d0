package dev.autotask.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.zaxxer.hikari.HikariDataSource;
import dev.autotask.Autotask;
import dev.autotask.TaskQuery;
import dev.autotask.TaskStatus;
import dev.autotask.engine.Engine;
import dev.autotask.engine.EngineSettings;
import dev.autotask.task.TaskRegistry;

/**
 * The operations console at scale (issue 15): a table of {@code --console-rows} tasks shaped
 * like a busy application's (20 task names, 5 queues, mostly succeeded, 1% failed with an error,
 * a pending backlog, a tenth of another owner), then each kind of search the console makes, a
 * page and its counts by status as {@code Autotask.find} answers them, timed from the client:
 * median and worst of {@value #REPEATS} calls after one untimed call.
 */
final class ConsoleTimings {

	private static final int REPEATS = 5;

	private static final String OWNER = "shop";

	private final Database database;

	private final int rows;

	ConsoleTimings(Database database, int rows) {
		this.database = database;
		this.rows = rows;
	}

	String run() {
		String schema = this.database.createSchema("console");
		try (HikariDataSource data = this.database.pool(schema, 2, "autotask-console")) {
			AutotaskSubject.migrate(data, schema);
			long start = System.nanoTime();
			fill(schema);
			double filled = (System.nanoTime() - start) / 1e9;
			Autotask autotask = Engine.builder(data, new TaskRegistry())
				.settings(EngineSettings.builder().schema(schema).build())
				.buildClient();
			List<String> lines = new ArrayList<>();
			lines.add(String.format(Locale.ROOT, "Console searches over %,d tasks (filled and analysed in %.0f s), "
					+ "a page of 50 and its counts by status, from the client:", this.rows, filled));
			lines.add("");
			lines.add("| search | median (ms) | worst (ms) | matches |");
			lines.add("| --- | --- | --- | --- |");
			queries().forEach((label, query) -> lines.add(time(autotask, label, query)));
			return String.join("\n", lines);
		}
		finally {
			this.database.dropSchema(schema);
		}
	}

	private void fill(String schema) {
		this.database.execute("""
				INSERT INTO %s.autotask_task (name, queue, owner, args, status, attempt, max_attempts, ttl, created_at,
					run_at, started_at, finished_at, expires_at, error, error_search, started_by)
				SELECT 'task.' || (i %% 20), 'q' || (i %% 5), CASE WHEN i %% 10 = 1 THEN 'other' ELSE '%s' END,
					jsonb_build_array(i %% 1000, 'x' || (i %% 7)),
					CASE WHEN i %% 100 = 0 THEN 'FAILURE' WHEN i %% 97 = 0 THEN 'PENDING'
						WHEN i %% 501 = 0 THEN 'CANCELLED' ELSE 'SUCCESS' END,
					1, 3, interval '7 days', now() - (%d - i) * interval '100 ms', now(),
					CASE WHEN i %% 97 = 0 THEN NULL ELSE now() - (%d - i) * interval '100 ms' END,
					CASE WHEN i %% 97 = 0 THEN NULL ELSE now() - (%d - i) * interval '100 ms' + interval '50 ms' END,
					now() + interval '7 days',
					CASE WHEN i %% 100 = 0 THEN jsonb_build_object('type', 'java.lang.IllegalStateException',
						'message', 'failure number ' || i) END,
					CASE WHEN i %% 100 = 0 THEN 'failure number ' || i END,
					CASE WHEN i %% 3 = 0 THEN 'ann' END
				FROM generate_series(1, %d) AS i""".formatted(schema, OWNER, this.rows, this.rows, this.rows,
				this.rows));
		this.database.execute("VACUUM ANALYZE " + schema + ".autotask_task");
	}

	private static Map<String, TaskQuery> queries() {
		Instant now = Instant.now();
		Map<String, TaskQuery> queries = new LinkedHashMap<>();
		queries.put("every task", TaskQuery.all());
		queries.put("failures", TaskQuery.builder().status(TaskStatus.FAILURE).build());
		queries.put("one task's failures", TaskQuery.builder().name("task.3").status(TaskStatus.FAILURE).build());
		queries.put("one task's cancelled (rare)",
				TaskQuery.builder().name("task.3").status(TaskStatus.CANCELLED).build());
		queries.put("one queue, pending", TaskQuery.builder().queue("q2").status(TaskStatus.PENDING).build());
		queries.put("finished in the last hour",
				TaskQuery.builder().finishedFrom(now.minus(Duration.ofHours(1))).build());
		queries.put("error text", TaskQuery.builder().errorContains("number 55").build());
		queries.put("argument contains [5]", TaskQuery.builder().argsContain("[5]").build());
		queries.put("started by a user no task has", TaskQuery.builder().startedBy("nobody").build());
		queries.put("a deep page (before the middle id)", TaskQuery.builder().before(500_000L).build());
		return queries;
	}

	private static String time(Autotask autotask, String label, TaskQuery query) {
		autotask.find(query, OWNER);
		long[] nanos = new long[REPEATS];
		long matches = 0;
		for (int i = 0; i < REPEATS; i++) {
			long start = System.nanoTime();
			matches = autotask.find(query, OWNER).total(query);
			nanos[i] = System.nanoTime() - start;
		}
		return String.format(Locale.ROOT, "| %s | %.1f | %.1f | %,d |", label, Stats.percentile(nanos, 50) / 1e6,
				Stats.percentile(nanos, 100) / 1e6, matches);
	}

}
