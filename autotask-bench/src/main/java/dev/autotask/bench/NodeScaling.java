package dev.autotask.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Several nodes on one database, each an engine in a JVM of its own ({@link BenchNode}): the
 * drain of a backlog by one node and by three, on no-op tasks (where the database is the limit
 * and nodes contend for it) and on tasks that sleep 10 ms (where the workers are), with each
 * node's share. The nodes start once for all drains of a workload and node count, and drain it
 * again and again untimed for the warm-up time (at least once), so that the timed drains run
 * compiled code, as a node in production does. Before each drain the nodes wait on an empty
 * queue; the backlog is then inserted and notified in one transaction, and the drain is timed
 * from that commit until no task is pending or running.
 */
final class NodeScaling {

	private final Database database;

	private final int workers;

	private final int runs;

	private final Duration warmUp;

	NodeScaling(Database database, int workers, int runs, Duration warmUp) {
		this.database = database;
		this.workers = workers;
		this.runs = runs;
		this.warmUp = warmUp;
	}

	String run() throws IOException, InterruptedException {
		List<String> lines = new ArrayList<>();
		lines.add("| tasks | nodes | tasks/s (runs) | against one node | share of each node |");
		lines.add("| --- | --- | --- | --- | --- |");
		for (Workload workload : List.of(new Workload(BenchNode.NOOP, 20_000), new Workload(BenchNode.SLEEP, 12_000))) {
			double one = 0;
			for (int nodes : List.of(1, 3)) {
				List<Double> rates = new ArrayList<>();
				Map<String, Long> shares = new TreeMap<>();
				for (Drain drain : drains(workload, nodes)) {
					rates.add(drain.rate());
					drain.perNode().forEach((node, count) -> shares.merge(node, count, Long::sum));
				}
				double median = rates.stream().sorted().toList().get(rates.size() / 2);
				if (nodes == 1) {
					one = median;
				}
				long total = shares.values().stream().mapToLong(Long::longValue).sum();
				StringBuilder share = new StringBuilder();
				shares.forEach((node, count) -> share.append(share.isEmpty() ? "" : ", ")
					.append(String.format(Locale.ROOT, "%s %.0f%%", node, 100.0 * count / total)));
				lines.add(String.format(Locale.ROOT, "| %,d %s | %d | %,.0f (%s) | %.2fx | %s |", workload.count(),
						workload.name(), nodes, median,
						String.join(", ", rates.stream().map((rate) -> String.format(Locale.ROOT, "%,.0f", rate)).toList()),
						median / one, share));
			}
		}
		return String.join("\n", lines);
	}

	private List<Drain> drains(Workload workload, int nodes) throws IOException, InterruptedException {
		String schema = this.database.createSchema("nodes");
		List<Process> processes = new ArrayList<>();
		try (HikariDataSource pool = this.database.pool(schema, 2, "nodes-driver")) {
			AutotaskSubject.migrate(pool, schema);
			for (int n = 0; n < nodes; n++) {
				processes.add(startNode(schema, "node-" + (char) ('a' + n)));
			}
			JdbcClient jdbc = JdbcClient.create(pool);
			// Each node's row is written when its engine has started.
			Awaiting.until(() -> jdbc.sql("SELECT count(*) FROM autotask_node").query(Long.class).single() == nodes,
					nodes + " node(s) to start");
			long warmUpEnd = System.nanoTime() + this.warmUp.toNanos();
			int warmUps = 0;
			do {
				drain(jdbc, schema, workload, nodes);
				warmUps++;
			}
			while (System.nanoTime() < warmUpEnd);
			System.out.printf(Locale.ROOT, "warm-up of %d node(s): %d drain(s) of %,d %s tasks%n", nodes, warmUps,
					workload.count(), workload.name());
			List<Drain> drains = new ArrayList<>();
			for (int run = 0; run < this.runs; run++) {
				drains.add(drain(jdbc, schema, workload, nodes));
			}
			return drains;
		}
		finally {
			for (Process process : processes) {
				process.getOutputStream().close();
			}
			for (Process process : processes) {
				if (!process.waitFor(30, TimeUnit.SECONDS)) {
					process.destroyForcibly();
				}
			}
			this.database.dropSchema(schema);
		}
	}

	private static Drain drain(JdbcClient jdbc, String schema, Workload workload, int nodes) {
		// The last drain's tasks and events, so that each node's count is this drain's and no drain
		// scans the dead rows of the ones before.
		jdbc.sql("TRUNCATE autotask_task, autotask_outbox").update();
		long start = System.nanoTime();
		// One transaction: the notification is delivered when the backlog is visible.
		jdbc.sql("""
				WITH inserted AS (
					INSERT INTO autotask_task (name, owner, args, max_attempts, ttl)
					SELECT :name, 'bench', '[]', 1, interval '7 days' FROM generate_series(1, :count))
				SELECT pg_notify(:channel, '')""")
			.param("name", workload.name())
			.param("count", workload.count())
			.param("channel", "autotask_" + schema)
			.query()
			.listOfRows();
		Awaiting.until(() -> !jdbc.sql("SELECT EXISTS (SELECT 1 FROM autotask_task WHERE status IN ('PENDING', 'RUNNING'))")
			.query(Boolean.class)
			.single(), "the drain of " + workload.count() + " " + workload.name() + " tasks by " + nodes + " node(s)");
		double seconds = (System.nanoTime() - start) / 1e9;
		Map<String, Long> perNode = new TreeMap<>();
		jdbc.sql("SELECT node_id, count(*) FROM autotask_task GROUP BY node_id")
			.query((rs, row) -> perNode.put(rs.getString(1), rs.getLong(2)))
			.list();
		return new Drain(workload.count() / seconds, perNode);
	}

	// A node JVM, running this jar; its log is left out.
	private Process startNode(String schema, String node) throws IOException {
		String java = ProcessHandle.current().info().command().orElse("java");
		return new ProcessBuilder(java, "-Xmx512m", "-jar", System.getProperty("java.class.path"), "node",
				this.database.url(), this.database.user(), schema, node, Integer.toString(this.workers))
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.redirectError(ProcessBuilder.Redirect.INHERIT)
			.start();
	}

	private record Workload(String name, int count) {
	}

	private record Drain(double rate, Map<String, Long> perNode) {
	}

}
