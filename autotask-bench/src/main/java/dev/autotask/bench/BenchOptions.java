package dev.autotask.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run measures, from {@code --name=value} arguments. Every size has a default that keeps
 * a full run on a 2-core machine within about 20 minutes.
 *
 * @param jdbcUrl the server all libraries share
 * @param user the database user (trust authentication: no password)
 * @param runs how many times each measurement is repeated
 * @param warmUp tasks of each warm-up drain, run per subject before any measurement and not
 * counted (followed by one one-by-one enqueue of {@code enqueue} tasks), so that each library's
 * code is compiled by the JIT before it is timed; 0 for none
 * @param warmUpTime how long each subject keeps draining to warm up (at least one drain)
 * @param drain tasks pre-inserted for the small drain
 * @param bigDrain tasks pre-inserted for the big drain, 0 to skip it
 * @param bigDrainRuns how many times the big drain is repeated
 * @param bigDrainSubjects the subjects that run the big drain (the slow peers take too long)
 * @param enqueue tasks enqueued one at a time
 * @param batches tasks enqueued in batches
 * @param batchSize tasks per batch, one transaction each
 * @param latency tasks enqueued one by one on an idle engine
 * @param gap the pause between two of those
 * @param workers worker threads of every engine
 * @param subjects the subjects to run, by name
 * @param measurements the measurements to run: drain, enqueue, batch, latency, and profile (autotask
 * only, with statement timing; not part of the default run) and console (the console's searches
 * over {@code consoleRows} tasks; not part of the default run either), nodes (one engine JVM
 * and three on one database, {@link NodeScaling}; not part of the default run) and soak (see
 * {@link Soak}; on a server of its own, not part of the default run)
 * @param consoleRows tasks in the table the console's searches are timed on
 * @param soak what the soak runs ({@code soak}: a long steady enqueue with pruning, on a server of
 * its own; not part of the default run)
 */
record BenchOptions(String jdbcUrl, String user, int runs, int warmUp, Duration warmUpTime, int drain, int bigDrain, int bigDrainRuns,
		List<String> bigDrainSubjects,
		int enqueue, int batches, int batchSize, int latency, Duration gap, int workers, List<String> subjects,
		List<String> measurements, int consoleRows, SoakOptions soak) {

	static final List<String> ALL_SUBJECTS = List.of(AutotaskSubject.NAME, AutotaskSubject.WITHOUT_CONSOLE_INDEXES,
			AutotaskSubject.WITHOUT_EVENTS, AutotaskSubject.WITHOUT_GROUP_TRIGGER, AutotaskSubject.WITH_GLOBAL_LIMIT,
			AutotaskSubject.WITH_RATE_LIMIT, AutotaskSubject.WITH_CONCURRENCY_KEYS, AutotaskSubject.WITH_KEY_RATES,
			AutotaskSubject.WITH_ARGS, AutotaskSubject.WITH_ARGS_WITHOUT_CONSOLE_INDEXES, DbSchedulerSubject.NAME,
			JobRunrSubject.NAME, RawSqlSubject.NAME);

	// Variants of autotask, run when named.
	private static final List<String> VARIANTS = List.of(AutotaskSubject.WITHOUT_CONSOLE_INDEXES,
			AutotaskSubject.WITHOUT_EVENTS, AutotaskSubject.WITHOUT_GROUP_TRIGGER, AutotaskSubject.WITH_GLOBAL_LIMIT,
			AutotaskSubject.WITH_RATE_LIMIT, AutotaskSubject.WITH_CONCURRENCY_KEYS, AutotaskSubject.WITH_KEY_RATES,
			AutotaskSubject.WITH_ARGS, AutotaskSubject.WITH_ARGS_WITHOUT_CONSOLE_INDEXES);

	static BenchOptions parse(String[] args) {
		Map<String, String> values = new LinkedHashMap<>();
		values.put("jdbc-url", "jdbc:postgresql://127.0.0.1:5432/test");
		values.put("user", "postgres");
		values.put("runs", "3");
		values.put("warm-up", "20000");
		values.put("warm-up-seconds", "15");
		values.put("drain", "20000");
		values.put("big-drain", "0");
		values.put("big-drain-runs", "3");
		// JobRunr is left out: at about 2,000 tasks/s its 1M drain alone would take ten minutes.
		values.put("big-drain-subjects",
				AutotaskSubject.NAME + "," + DbSchedulerSubject.NAME + "," + RawSqlSubject.NAME);
		values.put("enqueue", "20000");
		values.put("batches", "20000");
		values.put("batch-size", "1000");
		values.put("latency", "200");
		values.put("gap-ms", "20");
		values.put("workers", "8");
		values.put("subjects", String.join(",", ALL_SUBJECTS.stream().filter((name) -> !VARIANTS.contains(name)).toList()));
		values.put("measurements", "drain,enqueue,batch,latency");
		values.put("console-rows", "1000000");
		SoakOptions.defaults(values);
		for (String arg : args) {
			if (arg.equals("--with-1m")) {
				values.put("big-drain", "1000000");
				continue;
			}
			int equals = arg.indexOf('=');
			if (!arg.startsWith("--") || equals < 0 || !values.containsKey(arg.substring(2, equals))) {
				throw new IllegalArgumentException("Unknown argument '" + arg + "'; known: --with-1m, "
						+ values.keySet().stream().map((key) -> "--" + key + "=" + values.get(key)).toList());
			}
			values.put(arg.substring(2, equals), arg.substring(equals + 1));
		}
		return new BenchOptions(values.get("jdbc-url"), values.get("user"), integer(values, "runs"),
				integer(values, "warm-up"), Duration.ofSeconds(integer(values, "warm-up-seconds")), integer(values, "drain"), integer(values, "big-drain"), integer(values, "big-drain-runs"),
				list(values, "big-drain-subjects"),
				integer(values, "enqueue"), integer(values, "batches"), integer(values, "batch-size"),
				integer(values, "latency"), Duration.ofMillis(integer(values, "gap-ms")), integer(values, "workers"),
				list(values, "subjects"), list(values, "measurements"), integer(values, "console-rows"),
				SoakOptions.of(values));
	}

	boolean runs(String subject) {
		return this.subjects.contains(subject);
	}

	boolean measures(String measurement) {
		return this.measurements.contains(measurement);
	}

	/**
	 * Whether any measurement but the soak runs: the soak brings its own server and subject, so a
	 * soak alone opens (and warms up) no subject on the shared server.
	 * @return whether the subjects are needed
	 */
	boolean needsSubjects() {
		return this.measurements.stream().anyMatch((measurement) -> !measurement.equals("soak"));
	}

	private static int integer(Map<String, String> values, String key) {
		return Integer.parseInt(values.get(key).replace("_", ""));
	}

	private static List<String> list(Map<String, String> values, String key) {
		return Arrays.stream(values.get(key).split(",")).map(String::trim).filter((name) -> !name.isEmpty()).toList();
	}

}
