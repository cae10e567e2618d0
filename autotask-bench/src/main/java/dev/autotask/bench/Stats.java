package dev.autotask.bench;

import java.util.Arrays;

/**
 * Medians, spreads and percentiles.
 */
final class Stats {

	private Stats() {
	}

	/**
	 * The median and spread of repeated measurements.
	 * @param values one value per run
	 * @return the figure
	 */
	static Figure summary(double[] values) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		int middle = sorted.length / 2;
		double median = (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
		return new Figure(median, sorted[0], sorted[sorted.length - 1]);
	}

	/**
	 * A percentile by the nearest-rank method: the smallest value that at least {@code p} percent
	 * of the values do not exceed.
	 * @param values the values, in any order
	 * @param p the percentile, 0 to 100
	 * @return the value
	 */
	static long percentile(long[] values, double p) {
		long[] sorted = values.clone();
		Arrays.sort(sorted);
		int rank = (int) Math.ceil(p / 100 * sorted.length);
		return sorted[Math.max(0, rank - 1)];
	}

	/**
	 * A median and the lowest and highest of the runs.
	 *
	 * @param median the median of the runs
	 * @param min the lowest run
	 * @param max the highest run
	 */
	record Figure(double median, double min, double max) {

	}

}
