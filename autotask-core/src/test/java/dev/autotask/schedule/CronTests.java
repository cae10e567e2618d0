package dev.autotask.schedule;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link Cron#nextAfter(Instant)} away from daylight-saving transitions.
 * Each row gives an expression, the instant to start from, and the fire times that
 * follow one after the other, all in UTC unless stated. The dates were worked out by
 * hand: 2026-11-23 and 2026-11-30 are Mondays, 2026-11-27 is a Friday.
 *
 * @see CronDaylightSavingTests
 */
class CronTests {

	private static final ZoneId UTC = ZoneOffset.UTC;

	@ParameterizedTest(name = "''{0}'' after {1}")
	@CsvSource(delimiter = '|', textBlock = """
			* * * * *       | 2026-01-01T00:00:00Z | 2026-01-01T00:01:00Z, 2026-01-01T00:02:00Z
			* * * * *       | 2026-01-01T00:00:59.999Z | 2026-01-01T00:01:00Z
			0 * * * *       | 2026-05-10T10:00:00.000000001Z | 2026-05-10T11:00:00Z
			*/15 * * * *    | 2026-05-10T10:07:00Z | 2026-05-10T10:15:00Z, 2026-05-10T10:30:00Z, 2026-05-10T10:45:00Z, 2026-05-10T11:00:00Z
			*/15 * * * *    | 2026-05-10T10:15:00Z | 2026-05-10T10:30:00Z
			5-20/5 * * * *  | 2026-05-10T10:00:00Z | 2026-05-10T10:05:00Z, 2026-05-10T10:10:00Z, 2026-05-10T10:15:00Z, 2026-05-10T10:20:00Z, 2026-05-10T11:05:00Z
			50/5 * * * *    | 2026-05-10T10:00:00Z | 2026-05-10T10:50:00Z, 2026-05-10T10:55:00Z, 2026-05-10T11:50:00Z
			0,30 9-10 * * * | 2026-05-10T08:00:00Z | 2026-05-10T09:00:00Z, 2026-05-10T09:30:00Z, 2026-05-10T10:00:00Z, 2026-05-10T10:30:00Z, 2026-05-11T09:00:00Z
			0 */6 * * *     | 2026-05-10T01:00:00Z | 2026-05-10T06:00:00Z, 2026-05-10T12:00:00Z, 2026-05-10T18:00:00Z, 2026-05-11T00:00:00Z
			15 8,12-13 * * * | 2026-05-10T12:15:00Z | 2026-05-10T13:15:00Z, 2026-05-11T08:15:00Z
			0 0 1,15 * *    | 2026-05-10T00:00:00Z | 2026-05-15T00:00:00Z, 2026-06-01T00:00:00Z, 2026-06-15T00:00:00Z
			0 0 1 */3 *     | 2026-05-10T00:00:00Z | 2026-07-01T00:00:00Z, 2026-10-01T00:00:00Z, 2027-01-01T00:00:00Z
			""")
	void stepsListsAndRanges(String expression, String after, String expected) {
		assertFireTimes(expression, UTC, after, expected);
	}

	@ParameterizedTest(name = "''{0}'' after {1}")
	@CsvSource(delimiter = '|', textBlock = """
			0 9 * * MON-FRI   | 2026-11-27T09:00:00Z | 2026-11-30T09:00:00Z, 2026-12-01T09:00:00Z
			0 9 * * mon-Fri   | 2026-11-27T08:00:00Z | 2026-11-27T09:00:00Z, 2026-11-30T09:00:00Z
			0 9 * * 1-5       | 2026-11-28T12:00:00Z | 2026-11-30T09:00:00Z
			0 0 * * 0         | 2026-11-23T00:00:00Z | 2026-11-29T00:00:00Z, 2026-12-06T00:00:00Z
			0 0 * * 7         | 2026-11-23T00:00:00Z | 2026-11-29T00:00:00Z, 2026-12-06T00:00:00Z
			0 0 * * sun       | 2026-11-23T00:00:00Z | 2026-11-29T00:00:00Z
			0 0 * * 5-7       | 2026-11-23T00:00:00Z | 2026-11-27T00:00:00Z, 2026-11-28T00:00:00Z, 2026-11-29T00:00:00Z, 2026-12-04T00:00:00Z
			0 0 * * TUE,thu   | 2026-11-23T00:00:00Z | 2026-11-24T00:00:00Z, 2026-11-26T00:00:00Z, 2026-12-01T00:00:00Z
			0 0 1 JAN-MAR *   | 2026-02-15T00:00:00Z | 2026-03-01T00:00:00Z, 2027-01-01T00:00:00Z
			0 0 1 jan,Jul *   | 2026-01-01T00:00:00Z | 2026-07-01T00:00:00Z, 2027-01-01T00:00:00Z
			0 0 1 Dec *       | 2026-05-10T00:00:00Z | 2026-12-01T00:00:00Z, 2027-12-01T00:00:00Z
			""")
	void names(String expression, String after, String expected) {
		assertFireTimes(expression, UTC, after, expected);
	}

	@ParameterizedTest(name = "''{0}'' after {1}")
	@CsvSource(delimiter = '|', textBlock = """
			0 0 29 2 *      | 2026-01-01T00:00:00Z | 2028-02-29T00:00:00Z, 2032-02-29T00:00:00Z
			0 0 29 FEB *    | 2096-03-01T00:00:00Z | 2104-02-29T00:00:00Z
			0 12 31 * *     | 2026-03-31T12:00:00Z | 2026-05-31T12:00:00Z, 2026-07-31T12:00:00Z, 2026-08-31T12:00:00Z, 2026-10-31T12:00:00Z, 2026-12-31T12:00:00Z, 2027-01-31T12:00:00Z
			0 0 30 * *      | 2026-01-30T00:00:00Z | 2026-03-30T00:00:00Z
			59 23 31 12 *   | 2026-12-31T23:59:00Z | 2027-12-31T23:59:00Z
			0 0 1 1 *       | 2026-12-31T23:59:59Z | 2027-01-01T00:00:00Z
			*/30 * * * *    | 2026-12-31T23:45:00Z | 2027-01-01T00:00:00Z, 2027-01-01T00:30:00Z
			0 0 * * MON     | 2026-12-28T00:00:00Z | 2027-01-04T00:00:00Z
			""")
	void monthLengthsLeapYearsAndYearRollover(String expression, String after, String expected) {
		assertFireTimes(expression, UTC, after, expected);
	}

	@ParameterizedTest(name = "''{0}'' after {1}")
	@CsvSource(delimiter = '|', textBlock = """
			0 0 13 * FRI   | 2026-11-01T00:00:00Z | 2026-11-06T00:00:00Z, 2026-11-13T00:00:00Z, 2026-11-20T00:00:00Z, 2026-11-27T00:00:00Z, 2026-12-04T00:00:00Z, 2026-12-11T00:00:00Z, 2026-12-13T00:00:00Z, 2026-12-18T00:00:00Z
			0 0 1 * MON    | 2026-11-23T00:00:00Z | 2026-11-30T00:00:00Z, 2026-12-01T00:00:00Z, 2026-12-07T00:00:00Z
			0 0 13 * SUN   | 2026-11-01T00:00:00Z | 2026-11-08T00:00:00Z, 2026-11-13T00:00:00Z, 2026-11-15T00:00:00Z
			0 0 30 2 MON   | 2026-01-01T00:00:00Z | 2026-02-02T00:00:00Z, 2026-02-09T00:00:00Z
			0 0 15 * *     | 2026-11-23T00:00:00Z | 2026-12-15T00:00:00Z, 2027-01-15T00:00:00Z
			0 0 * * TUE    | 2026-11-23T00:00:00Z | 2026-11-24T00:00:00Z, 2026-12-01T00:00:00Z
			0 0 */10 * MON | 2026-01-01T00:00:00Z | 2026-05-11T00:00:00Z, 2026-06-01T00:00:00Z, 2026-08-31T00:00:00Z, 2026-09-21T00:00:00Z
			0 0 13 * */7   | 2026-11-01T00:00:00Z | 2026-12-13T00:00:00Z, 2027-06-13T00:00:00Z, 2028-02-13T00:00:00Z
			0 0 29 2 */7   | 2026-01-01T00:00:00Z | 2032-02-29T00:00:00Z, 2060-02-29T00:00:00Z
			""")
	void dayOfMonthAndDayOfWeek(String expression, String after, String expected) {
		// Both restricted: either matches. One starting with '*': both must match,
		// which for '*/n' keeps its values (Sundays that are the 13th, Mondays that are the 1st, 11th, 21st or 31st)
		assertFireTimes(expression, UTC, after, expected);
	}

	@ParameterizedTest(name = "''{0}'' after {1}")
	@CsvSource(delimiter = '|', textBlock = """
			@yearly    | 2026-05-10T12:00:00Z | 2027-01-01T00:00:00Z, 2028-01-01T00:00:00Z
			@annually  | 2026-05-10T12:00:00Z | 2027-01-01T00:00:00Z
			@monthly   | 2026-05-10T12:00:00Z | 2026-06-01T00:00:00Z, 2026-07-01T00:00:00Z
			@weekly    | 2026-11-23T12:00:00Z | 2026-11-29T00:00:00Z, 2026-12-06T00:00:00Z
			@daily     | 2026-05-10T12:00:00Z | 2026-05-11T00:00:00Z, 2026-05-12T00:00:00Z
			@midnight  | 2026-05-10T00:00:00Z | 2026-05-11T00:00:00Z
			@hourly    | 2026-05-10T10:30:00Z | 2026-05-10T11:00:00Z, 2026-05-10T12:00:00Z
			""")
	void macros(String expression, String after, String expected) {
		assertFireTimes(expression, UTC, after, expected);
	}

	@ParameterizedTest(name = "''{0}'' in {1} after {2}")
	@CsvSource(delimiter = '|', textBlock = """
			0 9 * * *       | Europe/Stockholm | 2026-01-15T00:00:00Z | 2026-01-15T08:00:00Z, 2026-01-16T08:00:00Z
			0 9 * * *       | Europe/Stockholm | 2026-07-15T00:00:00Z | 2026-07-15T07:00:00Z
			0 9 * * MON-FRI | America/New_York | 2026-11-27T15:00:00Z | 2026-11-30T14:00:00Z
			0 0 1 * *       | Asia/Tokyo       | 2026-05-10T00:00:00Z | 2026-05-31T15:00:00Z
			30 9 * * *      | +05:30           | 2026-05-10T03:00:00Z | 2026-05-10T04:00:00Z, 2026-05-11T04:00:00Z
			""")
	void wallClockOfZone(String expression, String zone, String after, String expected) {
		assertFireTimes(expression, ZoneId.of(zone), after, expected);
	}

	@Test
	void fixedOffsetZoneFiresStrictlyAfter() {
		Cron cron = Cron.parse("30 9 * * *", ZoneId.of("+05:30"));
		assertThat(cron.nextAfter(Instant.parse("2026-05-10T04:00:00Z"))).isEqualTo("2026-05-11T04:00:00Z");
		assertThat(cron.nextAfter(Instant.parse("2026-05-10T03:59:59Z"))).isEqualTo("2026-05-10T04:00:00Z");
	}

	@Test
	void ofWithDaysOfWeek() {
		Cron cron = Cron.of("0", "9", "*", "*", new DayOfWeek[] { DayOfWeek.FRIDAY, DayOfWeek.MONDAY }, UTC);
		assertThat(cron.expression()).isEqualTo("0 9 * * MON,FRI");
		assertFireTimes(cron, "2026-11-23T09:00:00Z", "2026-11-27T09:00:00Z, 2026-11-30T09:00:00Z");
	}

	@Test
	void ofWithSundayAndDuplicates() {
		DayOfWeek[] days = { DayOfWeek.SATURDAY, DayOfWeek.SUNDAY, DayOfWeek.SATURDAY };
		Cron cron = Cron.of("0", "0", "*", "*", days, UTC);
		assertThat(cron.expression()).isEqualTo("0 0 * * SUN,SAT");
		assertThat(cron).isEqualTo(Cron.parse("0 0 * * 6,7", UTC));
		assertFireTimes(cron, "2026-11-23T00:00:00Z", "2026-11-28T00:00:00Z, 2026-11-29T00:00:00Z");
	}

	@Test
	void ofWithEmptyDaysOfWeekMeansEveryDay() {
		Cron cron = Cron.of("*/15", " * ", "*", "*", new DayOfWeek[0], UTC);
		assertThat(cron.expression()).isEqualTo("*/15 * * * *");
		assertFireTimes(cron, "2026-05-10T23:50:00Z", "2026-05-11T00:00:00Z, 2026-05-11T00:15:00Z");
	}

	@Test
	void ofWithDayOfMonthAndDaysOfWeekMatchesEither() {
		Cron cron = Cron.of("0", "0", "1", "*", new DayOfWeek[] { DayOfWeek.MONDAY }, UTC);
		assertFireTimes(cron, "2026-11-23T00:00:00Z",
				"2026-11-30T00:00:00Z, 2026-12-01T00:00:00Z, 2026-12-07T00:00:00Z");
	}

	@Test
	void ofRejectsInvalidField() {
		assertThatExceptionOfType(CronParseException.class)
			.isThrownBy(() -> Cron.of("61", "*", "*", "*", new DayOfWeek[0], UTC))
			.withMessage("Invalid cron expression '61 * * * *': minute field value '61' is out of range 0-59")
			.satisfies((ex) -> assertThat(ex.field()).isEqualTo("minute"))
			.satisfies((ex) -> assertThat(ex.value()).isEqualTo("61"));
		assertThatExceptionOfType(CronParseException.class)
			.isThrownBy(() -> Cron.of("0", "0", "30", "FEB", new DayOfWeek[0], UTC))
			.satisfies((ex) -> assertThat(ex.field()).isEqualTo("day of month"))
			.withMessageContaining("never occurs");
	}

	@Test
	void ofRejectsMoreThanOneFieldInOneArgument() {
		assertThatExceptionOfType(CronParseException.class)
			.isThrownBy(() -> Cron.of("0 30", "*", "*", "*", new DayOfWeek[0], UTC))
			.satisfies((ex) -> assertThat(ex.field()).isEqualTo("minute"))
			.satisfies((ex) -> assertThat(ex.value()).isEqualTo("0 30"));
	}

	@Test
	void farFutureSearchIsFast() {
		// A scan minute by minute would take far longer than a second for a century
		Cron cron = Cron.parse("0 0 29 2 */7", ZoneId.of("Europe/Stockholm"));
		long start = System.nanoTime();
		Instant next = Instant.parse("2026-01-01T00:00:00Z");
		for (int i = 0; i < 100; i++) {
			next = cron.nextAfter(Instant.parse("2026-01-01T00:00:00Z"));
		}
		assertThat(next).isEqualTo("2032-02-28T23:00:00Z");
		assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
	}

	static void assertFireTimes(String expression, ZoneId zone, String after, String expected) {
		assertFireTimes(Cron.parse(expression, zone), after, expected);
	}

	static void assertFireTimes(Cron cron, String after, String expected) {
		List<Instant> fireTimes = new ArrayList<>();
		Instant previous = Instant.parse(after);
		List<Instant> expectedTimes = Arrays.stream(expected.split(",")).map(String::trim).map(Instant::parse).toList();
		for (int i = 0; i < expectedTimes.size(); i++) {
			previous = cron.nextAfter(previous);
			fireTimes.add(previous);
		}
		assertThat(fireTimes).as("fire times of %s after %s", cron, after).containsExactlyElementsOf(expectedTimes);
	}

}
