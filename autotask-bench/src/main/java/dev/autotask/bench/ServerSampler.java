package dev.autotask.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Samples, every 10 ms, what the server-side sessions of one pool are doing ({@code state} and
 * {@code wait_event} from {@code pg_stat_activity}), and measures the CPU they, this JVM and the
 * whole machine used meanwhile. An {@code idle} session is waiting for its client, the JVM.
 */
final class ServerSampler implements AutoCloseable {

	private static final String SAMPLE = """
			SELECT pid, state, coalesce(wait_event_type || ':' || wait_event, 'on CPU') FROM pg_stat_activity
			WHERE application_name = ?""";

	private final Connection connection;

	private final String applicationName;

	private final Map<String, LongAdder> samples = new ConcurrentHashMap<>();

	private final Map<Integer, Long> backendTicksAtStart = new ConcurrentHashMap<>();

	private final long[] machineAtStart = machineTicks();

	private final long jvmAtStart = ticks(Path.of("/proc/self/stat"));

	private final Thread thread;

	private volatile boolean running = true;

	private volatile int sessions;

	ServerSampler(String url, String user, String applicationName) throws SQLException {
		this.connection = DriverManager.getConnection(url, user, null);
		this.applicationName = applicationName;
		this.thread = new Thread(this::sampleLoop, "server-sampler");
		this.thread.start();
	}

	private void sampleLoop() {
		try (PreparedStatement sample = this.connection.prepareStatement(SAMPLE)) {
			sample.setString(1, this.applicationName);
			while (this.running) {
				int count = 0;
				try (ResultSet rows = sample.executeQuery()) {
					while (rows.next()) {
						count++;
						this.backendTicksAtStart.computeIfAbsent(rows.getInt(1),
								(pid) -> ticks(Path.of("/proc/" + pid + "/stat")));
						String key = rows.getString(2) + " / " + rows.getString(3);
						this.samples.computeIfAbsent(key, (k) -> new LongAdder()).increment();
					}
				}
				this.sessions = Math.max(this.sessions, count);
				Thread.sleep(10);
			}
		}
		catch (SQLException | InterruptedException ex) {
			// Stopped.
		}
	}

	List<String> report() {
		long jvm = ticks(Path.of("/proc/self/stat")) - this.jvmAtStart;
		long backends = this.backendTicksAtStart.entrySet()
			.stream()
			.mapToLong((entry) -> ticks(Path.of("/proc/" + entry.getKey() + "/stat")) - entry.getValue())
			.sum();
		long[] machine = machineTicks();
		long busy = machine[0] - this.machineAtStart[0];
		long total = machine[1] - this.machineAtStart[1];
		List<String> lines = new ArrayList<>();
		lines.add(String.format(Locale.ROOT,
				"CPU: machine %.0f%% busy of %d cores; this JVM %.0f%%, the pool's %d backends %.0f%%, everything else %.0f%% (of one core)",
				100.0 * busy / total, Runtime.getRuntime().availableProcessors(), percentOfCore(jvm, total),
				this.backendTicksAtStart.size(), percentOfCore(backends, total),
				percentOfCore(busy - jvm - backends, total)));
		long all = this.samples.values().stream().mapToLong(LongAdder::sum).sum();
		new TreeMap<>(this.samples).entrySet()
			.stream()
			.sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
			.forEach((entry) -> lines.add(String.format(Locale.ROOT, "  %5.1f%% of session samples: %s",
					100.0 * entry.getValue().sum() / all, entry.getKey())));
		return lines;
	}

	private static double percentOfCore(long ticks, long totalAllCores) {
		return 100.0 * ticks * Runtime.getRuntime().availableProcessors() / totalAllCores;
	}

	/**
	 * Busy and total ticks of all cores, from {@code /proc/stat}.
	 */
	static long[] machineTicks() {
		try {
			String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
			long total = 0;
			for (int i = 1; i < fields.length; i++) {
				total += Long.parseLong(fields[i]);
			}
			long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]);
			return new long[] { total - idle, total };
		}
		catch (IOException | RuntimeException ex) {
			return new long[] { 0, 1 };
		}
	}

	/**
	 * User and system ticks of one process, from {@code /proc/<pid>/stat}.
	 */
	static long ticks(Path stat) {
		try {
			String line = Files.readString(stat);
			String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
			return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
		}
		catch (IOException | RuntimeException ex) {
			return 0;
		}
	}

	@Override
	public void close() throws InterruptedException {
		this.running = false;
		this.thread.join();
		try {
			this.connection.close();
		}
		catch (SQLException ex) {
			// Closing anyway.
		}
	}

}
