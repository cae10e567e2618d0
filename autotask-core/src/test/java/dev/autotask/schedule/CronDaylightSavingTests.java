package dev.autotask.schedule;

import java.time.Instant;
import java.time.ZoneId;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.autotask.schedule.CronTests.assertFireTimes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Cron#nextAfter(Instant)} across daylight-saving transitions.
 *
 * <p>The transitions used, in UTC:
 * <ul>
 * <li>Europe (Stockholm, Berlin), Sunday 2026-03-29 at 01:00Z: 02:00 CET becomes
 * 03:00 CEST, so 02:00-02:59 local does not exist.</li>
 * <li>Europe, Sunday 2026-10-25 at 01:00Z: 03:00 CEST becomes 02:00 CET, so
 * 02:00-02:59 local occurs twice, first at 00:00-00:59Z, then at 01:00-01:59Z.</li>
 * <li>America/New_York, Sunday 2026-03-08 at 07:00Z: 02:00 EST becomes 03:00 EDT.</li>
 * <li>America/New_York, Sunday 2026-11-01 at 06:00Z: 02:00 EDT becomes 01:00 EST, so
 * 01:00-01:59 local occurs at 05:00-05:59Z and again at 06:00-06:59Z.</li>
 * </ul>
 * A restricted hour fires once per wall-clock time (a gap moves it to the end of the
 * gap, an overlap keeps the first occurrence); an hour field starting with '*' follows
 * elapsed time (nothing made up in a gap, both occurrences in an overlap).
 */
class CronDaylightSavingTests {

	private static final ZoneId STOCKHOLM = ZoneId.of("Europe/Stockholm");

	private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

	private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

	@ParameterizedTest(name = "''{0}'' after {1}")
	@CsvSource(delimiter = '|', textBlock = """
			30 2 * * *      | 2026-03-27T12:00:00Z | 2026-03-28T01:30:00Z, 2026-03-29T01:00:00Z, 2026-03-30T00:30:00Z
			0 2 * * *       | 2026-03-28T12:00:00Z | 2026-03-29T01:00:00Z, 2026-03-30T00:00:00Z
			*/15 2 * * *    | 2026-03-29T00:00:00Z | 2026-03-29T01:00:00Z, 2026-03-30T00:00:00Z, 2026-03-30T00:15:00Z
			0,30 2,3 * * *  | 2026-03-29T00:00:00Z | 2026-03-29T01:00:00Z, 2026-03-29T01:30:00Z, 2026-03-30T00:00:00Z
			0 3 * * *       | 2026-03-28T12:00:00Z | 2026-03-29T01:00:00Z, 2026-03-30T01:00:00Z
			30 2 29 3 *     | 2026-03-01T00:00:00Z | 2026-03-29T01:00:00Z, 2027-03-29T00:30:00Z
			0 * * * *       | 2026-03-28T23:30:00Z | 2026-03-29T00:00:00Z, 2026-03-29T01:00:00Z, 2026-03-29T02:00:00Z
			30 * * * *      | 2026-03-29T00:00:00Z | 2026-03-29T00:30:00Z, 2026-03-29T01:30:00Z
			*/20 * * * *    | 2026-03-29T00:30:00Z | 2026-03-29T00:40:00Z, 2026-03-29T01:00:00Z, 2026-03-29T01:20:00Z
			""")
	void springForwardInStockholm(String expression, String after, String expected) {
		assertFireTimes(expression, STOCKHOLM, after, expected);
	}

	@Test
	void springForwardInBerlin() {
		assertFireTimes("30 2 * * *", BERLIN, "2026-03-28T12:00:00Z",
				"2026-03-29T01:00:00Z, 2026-03-30T00:30:00Z");
	}

	@Test
	void afterGapEndDoesNotFireAgainForTheGap() {
		Cron cron = Cron.parse("*/15 2 * * *", STOCKHOLM);
		assertThat(cron.nextAfter(Instant.parse("2026-03-29T01:00:00Z"))).isEqualTo("2026-03-30T00:00:00Z");
		assertThat(cron.nextAfter(Instant.parse("2026-03-29T00:59:59Z"))).isEqualTo("2026-03-29T01:00:00Z");
	}

	@ParameterizedTest(name = "''{0}'' after {1}")
	@CsvSource(delimiter = '|', textBlock = """
			30 2 * * *      | 2026-03-07T07:30:00Z | 2026-03-08T07:00:00Z, 2026-03-09T06:30:00Z
			*/15 2 * * *    | 2026-03-08T06:50:00Z | 2026-03-08T07:00:00Z, 2026-03-09T06:00:00Z
			0 * * * *       | 2026-03-08T06:00:00Z | 2026-03-08T07:00:00Z, 2026-03-08T08:00:00Z
			30 * * * *      | 2026-03-08T06:00:00Z | 2026-03-08T06:30:00Z, 2026-03-08T07:30:00Z
			""")
	void springForwardInNewYork(String expression, String after, String expected) {
		assertFireTimes(expression, NEW_YORK, after, expected);
	}

	@ParameterizedTest(name = "''{0}'' after {1}")
	@CsvSource(delimiter = '|', textBlock = """
			30 2 * * *      | 2026-10-24T12:00:00Z | 2026-10-25T00:30:00Z, 2026-10-26T01:30:00Z
			30 2 * * *      | 2026-10-25T00:10:00Z | 2026-10-25T00:30:00Z
			30 2 * * *      | 2026-10-25T01:10:00Z | 2026-10-26T01:30:00Z
			*/15 2 * * *    | 2026-10-24T23:50:00Z | 2026-10-25T00:00:00Z, 2026-10-25T00:15:00Z, 2026-10-25T00:30:00Z, 2026-10-25T00:45:00Z, 2026-10-26T01:00:00Z
			0 2,3 * * *     | 2026-10-24T23:30:00Z | 2026-10-25T00:00:00Z, 2026-10-25T02:00:00Z, 2026-10-26T01:00:00Z
			0 * * * *       | 2026-10-24T23:30:00Z | 2026-10-25T00:00:00Z, 2026-10-25T01:00:00Z, 2026-10-25T02:00:00Z
			*/15 * * * *    | 2026-10-25T00:40:00Z | 2026-10-25T00:45:00Z, 2026-10-25T01:00:00Z, 2026-10-25T01:15:00Z
			* * * * *       | 2026-10-25T00:10:00Z | 2026-10-25T00:11:00Z
			* * * * *       | 2026-10-25T00:59:00Z | 2026-10-25T01:00:00Z, 2026-10-25T01:01:00Z
			0 */2 * * *     | 2026-10-24T21:30:00Z | 2026-10-24T22:00:00Z, 2026-10-25T00:00:00Z, 2026-10-25T01:00:00Z, 2026-10-25T03:00:00Z
			""")
	void fallBackInStockholm(String expression, String after, String expected) {
		assertFireTimes(expression, STOCKHOLM, after, expected);
	}

	@ParameterizedTest(name = "''{0}'' after {1}")
	@CsvSource(delimiter = '|', textBlock = """
			30 1 * * *      | 2026-11-01T04:00:00Z | 2026-11-01T05:30:00Z, 2026-11-02T06:30:00Z
			30 1 * * *      | 2026-11-01T06:00:00Z | 2026-11-02T06:30:00Z
			0 9 * * *       | 2026-10-31T14:00:00Z | 2026-11-01T14:00:00Z, 2026-11-02T14:00:00Z
			0 * * * *       | 2026-11-01T04:30:00Z | 2026-11-01T05:00:00Z, 2026-11-01T06:00:00Z, 2026-11-01T07:00:00Z
			""")
	void fallBackInNewYork(String expression, String after, String expected) {
		assertFireTimes(expression, NEW_YORK, after, expected);
	}

	@Test
	void specificTimeFiresOncePerDayAcrossBothTransitions() {
		Cron cron = Cron.parse("30 2 * * *", STOCKHOLM);
		Instant endOfYear = Instant.parse("2026-12-31T23:00:00Z");
		int fires = 0;
		Instant time = cron.nextAfter(Instant.parse("2025-12-31T23:00:00Z"));
		while (time.isBefore(endOfYear)) {
			fires++;
			time = cron.nextAfter(time);
		}
		assertThat(fires).isEqualTo(365);
	}

	@Test
	void hourlyFiresOncePerRealHourAcrossBothTransitions() {
		Cron cron = Cron.parse("0 * * * *", STOCKHOLM);
		Instant time = Instant.parse("2026-01-01T00:00:00Z");
		for (int i = 0; i < 24 * 365; i++) {
			Instant next = cron.nextAfter(time);
			assertThat(next).isEqualTo(time.plusSeconds(3600));
			time = next;
		}
	}

}
