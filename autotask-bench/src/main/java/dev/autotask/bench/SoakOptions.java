package dev.autotask.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What the soak ({@code --measurements=soak}) runs, from the {@code --soak-*} arguments.
 *
 * @param duration how long the producer enqueues
 * @param resultTtl the engine's result TTL: ended tasks are pruned this long after their end
 * @param cleanInterval how often the leader prunes (the engine's {@code cleanInterval})
 * @param load the producer's rate as a share of the drain rate measured first
 * @param rate the producer's rate in tasks per second, or 0 to take {@code load} times the
 * measured drain rate
 * @param interval the time one row of the timeline covers
 * @param plot where the PNG of throughput and table size is written
 * @param jdbcUrl the server to soak, or empty for a server the bench starts (and stops) itself
 * @param budget the tasks over which each part of the {@link SoakBudget} is measured before the
 * soak, or 0 to leave it out
 */
record SoakOptions(Duration duration, Duration resultTtl, Duration cleanInterval, double load, int rate,
		Duration interval, Path plot, String jdbcUrl, int budget) {

	static void defaults(Map<String, String> values) {
		values.put("soak-duration", "PT30M");
		values.put("soak-ttl", "PT2M");
		values.put("soak-clean-interval", "PT1M");
		values.put("soak-load", "0.7");
		values.put("soak-rate", "0");
		values.put("soak-interval", "PT1M");
		values.put("soak-plot", "target/soak.png");
		values.put("soak-jdbc-url", "");
		values.put("soak-budget", "200000");
	}

	static SoakOptions of(Map<String, String> values) {
		return new SoakOptions(Duration.parse(values.get("soak-duration")), Duration.parse(values.get("soak-ttl")),
				Duration.parse(values.get("soak-clean-interval")), Double.parseDouble(values.get("soak-load")),
				Integer.parseInt(values.get("soak-rate").replace("_", "")), Duration.parse(values.get("soak-interval")),
				Path.of(values.get("soak-plot")), values.get("soak-jdbc-url"),
				Integer.parseInt(values.get("soak-budget").replace("_", "")));
	}

	/**
	 * When sizes and heap are expected to have stopped growing: the first tasks have outlived
	 * their TTL and two prunes have run since.
	 * @return the time from the soak's start
	 */
	Duration settled() {
		return this.resultTtl.plus(this.cleanInterval.multipliedBy(2));
	}

}
