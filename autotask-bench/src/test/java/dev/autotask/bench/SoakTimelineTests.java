package dev.autotask.bench;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SoakTimelineTests {

	private static final long MIB = 1024 * 1024;

	private static final Duration SETTLED = Duration.ofMinutes(4);

	@Test
	void throughputComparesTheLastTenthWithTheFirst() {
		SoakTimeline timeline = new SoakTimeline();
		// 100 s: 1,000 tasks a second for the first 90, then 800.
		long ended = 0;
		for (int second = 1; second <= 100; second++) {
			ended += (second <= 90) ? 1000 : 800;
			timeline.second(ended);
		}
		assertThat(timeline.verdicts(SETTLED).get(0))
			.startsWith("- throughput of the last tenth (10 s) vs the first: 800 vs 1,000 tasks/s = 0.80x")
			.endsWith("NOT met");
	}

	@Test
	void throughputWithinATenthIsMet() {
		SoakTimeline timeline = new SoakTimeline();
		long ended = 0;
		for (int second = 1; second <= 100; second++) {
			ended += (second <= 90) ? 1000 : 950;
			timeline.second(ended);
		}
		assertThat(timeline.verdicts(SETTLED).get(0)).contains("= 0.95x").endsWith(": met");
	}

	@Test
	void sizesAreJudgedFromTheFirstRowAfterTheTtlAndTwoPrunes() {
		SoakTimeline timeline = new SoakTimeline();
		// Growing until minute 4, then 10% more by the end: flat. The rows before minute 4 do not count.
		long[] tables = { 10, 50, 90, 100, 100, 105, 110 };
		for (int minute = 1; minute <= tables.length; minute++) {
			timeline.add(row(minute, tables[minute - 1] * MIB, 20 * MIB));
		}
		List<String> verdicts = timeline.verdicts(SETTLED);
		assertThat(verdicts.get(1)).startsWith("- table + indexes: 120.0 MiB at 4:00, 130.0 MiB at the end = 1.08x")
			.endsWith(": met");
		assertThat(verdicts.get(2)).startsWith("  of which table: 100.0 MiB at 4:00, 110.0 MiB at the end = 1.10x");
	}

	@Test
	void sizesGrowingPastAFifthAreNotFlat() {
		SoakTimeline timeline = new SoakTimeline();
		for (int minute = 1; minute <= 10; minute++) {
			timeline.add(row(minute, minute * 100 * MIB, 20 * MIB));
		}
		assertThat(timeline.verdicts(SETTLED).get(1)).contains("420.0 MiB at 4:00", "1020.0 MiB at the end")
			.contains("trend +1000.0 MiB per 10 min")
			.endsWith("NOT met");
	}

	@Test
	void heapWithinItsSlackIsFlat() {
		SoakTimeline timeline = new SoakTimeline();
		for (int minute = 1; minute <= 10; minute++) {
			timeline.add(row(minute, 100 * MIB, (minute < 10) ? 20 * MIB : 29 * MIB));
		}
		assertThat(timeline.verdicts(SETTLED).get(4)).startsWith("- heap after GC: 20.0 MiB at 4:00, 29.0 MiB")
			.endsWith(": met");
	}

	@Test
	void sizesAreNotJudgedBeforeTheTableCouldSettle() {
		SoakTimeline timeline = new SoakTimeline();
		for (int minute = 1; minute <= 4; minute++) {
			timeline.add(row(minute, 100 * MIB, 20 * MIB));
		}
		assertThat(timeline.verdicts(SETTLED)).last().asString().startsWith("- sizes and heap: not judged");
	}

	@Test
	void renderWritesOneLinePerRow() {
		SoakTimeline timeline = new SoakTimeline();
		timeline.add(row(1, 100 * MIB, 20 * MIB));
		timeline.add(row(2, 100 * MIB, 20 * MIB));
		assertThat(timeline.render().lines()).hasSize(4).element(2).asString().startsWith("| 1:00 | 60,000 | 60,000 | 1,000 |");
	}

	@Test
	void renderShowsTheWalRateAndTheCheckpointsTheWalAskedFor() {
		SoakTimeline timeline = new SoakTimeline();
		timeline.add(row(1, 100 * MIB, 20 * MIB));
		assertThat(timeline.render().lines().toList().get(2)).contains("| 10.0 | 3 (2) |");
	}

	private static SoakRow row(int minute, long table, long heap) {
		return new SoakRow(Duration.ofMinutes(minute), Duration.ofMinutes(1), 60_000, 60_000, 60_000, 0, 50, table,
				20 * MIB, MIB, 100_000, 1_000, minute / 3, 600 * MIB, 3, 2, heap, heap, 90, 60, "1.5");
	}

}
