package dev.autotask.schedule;

import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/**
 * Tests for {@link Cron#parse(String, ZoneId)}: normalisation, equality and every
 * kind of invalid input.
 */
class CronParseTests {

	private static final ZoneId UTC = ZoneOffset.UTC;

	@ParameterizedTest(name = "''{0}'' -> ''{1}''")
	@CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
			"0 9 * * MON-FRI"             | 0 9 * * MON-FRI
			"  0   9\t*  * mon-fri \t"    | 0 9 * * MON-FRI
			"*/15 0-6/2 1,15 jan-Mar *"   | */15 0-6/2 1,15 JAN-MAR *
			"0-59 0-23 1-31 1-12 0-7"     | 0-59 0-23 1-31 1-12 0-7
			"*/59 */23 */31 */12 */7"     | */59 */23 */31 */12 */7
			"00 09 01 01 00"              | 00 09 01 01 00
			"@yearly"                     | 0 0 1 1 *
			"@annually"                   | 0 0 1 1 *
			"@monthly"                    | 0 0 1 * *
			"@weekly"                     | 0 0 * * 0
			"@daily"                      | 0 0 * * *
			"@midnight"                   | 0 0 * * *
			" @Hourly "                   | 0 * * * *
			""")
	void expressionIsNormalised(String expression, String normalised) {
		Cron cron = Cron.parse(expression, UTC);
		assertThat(cron.expression()).isEqualTo(normalised);
		assertThat(Cron.parse(normalised, UTC)).isEqualTo(cron);
	}

	@Test
	void zoneIsKept() {
		ZoneId stockholm = ZoneId.of("Europe/Stockholm");
		Cron cron = Cron.parse("0 9 * * MON-FRI", stockholm);
		assertThat(cron.zone()).isEqualTo(stockholm);
		assertThat(cron).hasToString("cron '0 9 * * MON-FRI' in Europe/Stockholm");
	}

	@Test
	void equalWhenMatchingTheSameValues() {
		Cron sunday = Cron.parse("0 0 * * 0", UTC);
		assertThat(Cron.parse("0 0 * * 7", UTC)).isEqualTo(sunday).hasSameHashCodeAs(sunday);
		assertThat(Cron.parse("0 0 * * sun", UTC)).isEqualTo(sunday).hasSameHashCodeAs(sunday);
		assertThat(Cron.parse("@weekly", UTC)).isEqualTo(sunday).hasSameHashCodeAs(sunday);
		assertThat(Cron.parse("0 0 * * 1", UTC)).isNotEqualTo(sunday);
		assertThat(Cron.parse("0 0 * * 0", ZoneId.of("Europe/Stockholm"))).isNotEqualTo(sunday);
		assertThat(Cron.parse("0,1 0 * * *", UTC)).isEqualTo(Cron.parse("0-1 0 * * *", UTC));
	}

	@ParameterizedTest(name = "''{0}''")
	@CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
			61 * * * *         | minute       | 61        | is out of range 0-59
			* 24 * * *         | hour         | 24        | is out of range 0-23
			* * 0 * *          | day of month | 0         | is out of range 1-31
			* * 32 * *         | day of month | 32        | is out of range 1-31
			* * * 0 *          | month        | 0         | is out of range 1-12
			* * * 13 *         | month        | 13        | is out of range 1-12
			* * * * 8          | day of week  | 8         | is out of range 0-7
			0-60 * * * *       | minute       | 60        | is out of range 0-59
			99999999999 * * * * | minute      | 99999999999 | is out of range 0-59
			a * * * *          | minute       | a         | is not a number in range 0-59
			+5 * * * *         | minute       | +5        | is not a number in range 0-59
			JAN * * * *        | minute       | JAN       | is not a number in range 0-59
			* MON * * *        | hour         | MON       | is not a number in range 0-23
			* * * FOO *        | month        | FOO       | is neither a number in range 1-12 nor a name JAN-DEC
			* * * January *    | month        | January   | is neither a number in range 1-12 nor a name JAN-DEC
			* * * * moo        | day of week  | moo       | is neither a number in range 0-7 nor a name SUN-SAT
			* * * * Monday     | day of week  | Monday    | is neither a number in range 0-7 nor a name SUN-SAT
			5-1 * * * *        | minute       | 5-1       | is a range whose start is after its end
			* * * DEC-JAN *    | month        | DEC-JAN   | is a range whose start is after its end
			* * * * FRI-MON    | day of week  | FRI-MON   | is a range whose start is after its end; use 7 for a Sunday that ends a range
			1- * * * *         | minute       | 1-        | is not a valid range; expected 'start-end'
			-1 * * * *         | minute       | -1        | is not a valid range; expected 'start-end'
			1-2-3 * * * *      | minute       | 1-2-3     | is not a valid range; expected 'start-end'
			*-5 * * * *        | minute       | *-5       | uses '*' together with other values; '*' must stand alone
			5* * * * *         | minute       | 5*        | uses '*' together with other values; '*' must stand alone
			*/ * * * *         | minute       | */        | has no valid step after '/'; expected a number
			*/x * * * *        | minute       | */x       | has no valid step after '/'; expected a number
			1/2/3 * * * *      | minute       | 1/2/3     | has no valid step after '/'; expected a number
			*/0 * * * *        | minute       | */0       | has a step of 0; the step must be between 1 and 59
			* 1-5/0 * * *      | hour         | 1-5/0     | has a step of 0; the step must be between 1 and 23
			*/60 * * * *       | minute       | */60      | has a step of 60; the step must be between 1 and 59
			1,,2 * * * *       | minute       | 1,,2      | has an empty list item
			,1 * * * *         | minute       | ,1        | has an empty list item
			* * * * 1,         | day of week  | 1,        | has an empty list item
			""")
	void invalidField(String expression, String field, String value, String problem) {
		assertThatExceptionOfType(CronParseException.class).isThrownBy(() -> Cron.parse(expression, UTC))
			.withMessage("Invalid cron expression '%s': %s field value '%s' %s", expression, field, value, problem)
			.satisfies((ex) -> assertThat(ex.field()).isEqualTo(field))
			.satisfies((ex) -> assertThat(ex.value()).isEqualTo(value));
	}

	@ParameterizedTest(name = "''{0}''")
	@CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
			"* * * *"         | expected 5 fields (minute hour day-of-month month day-of-week) but found 4
			"* * * * * *"     | expected 5 fields (minute hour day-of-month month day-of-week) but found 6
			"0 0 0 * * * *"   | expected 5 fields (minute hour day-of-month month day-of-week) but found 7
			"*"               | expected 5 fields (minute hour day-of-month month day-of-week) but found 1
			""")
	void wrongNumberOfFields(String expression, String problem) {
		assertThatExceptionOfType(CronParseException.class).isThrownBy(() -> Cron.parse(expression, UTC))
			.withMessage("Invalid cron expression '%s': %s", expression, problem)
			.satisfies((ex) -> assertThat(ex.field()).isEqualTo("expression"))
			.satisfies((ex) -> assertThat(ex.value()).isEqualTo(expression));
	}

	@ParameterizedTest(name = "''{0}''")
	@ValueSource(strings = { "", " ", "\t" })
	void emptyExpression(String expression) {
		assertThatExceptionOfType(CronParseException.class).isThrownBy(() -> Cron.parse(expression, UTC))
			.withMessage("Invalid cron expression '%s': the expression is empty", expression)
			.satisfies((ex) -> assertThat(ex.field()).isEqualTo("expression"));
	}

	@ParameterizedTest(name = "''{0}''")
	@ValueSource(strings = { "@reboot", "@every", "@", "@daily 0" })
	void unknownMacro(String macro) {
		assertThatExceptionOfType(CronParseException.class).isThrownBy(() -> Cron.parse(macro, UTC))
			.withMessage("Invalid cron expression '%s': unknown macro '%s'; expected one of @yearly, @annually, "
					+ "@monthly, @weekly, @daily, @midnight, @hourly", macro, macro)
			.satisfies((ex) -> assertThat(ex.field()).isEqualTo("expression"))
			.satisfies((ex) -> assertThat(ex.value()).isEqualTo(macro));
	}

	@ParameterizedTest(name = "''{0}''")
	@CsvSource(delimiter = '|', textBlock = """
			0 0 30 2 *            | 30     | 2
			0 0 31 2 *            | 31     | 2
			0 0 30-31 FEB *       | 30-31  | FEB
			0 0 31 4,6,9,11 *     | 31     | 4,6,9,11
			0 0 31 apr,jun *      | 31     | APR,JUN
			0 0 31 2 */2          | 31     | 2
			""")
	void dayThatNeverOccurs(String expression, String dayOfMonth, String months) {
		assertThatIllegalArgumentException().isThrownBy(() -> Cron.parse(expression, UTC))
			.isInstanceOf(CronParseException.class)
			.withMessage("Invalid cron expression '%s': day of month field value '%s' never occurs: "
					+ "no month in month field value '%s' has that day", expression, dayOfMonth, months)
			.satisfies((ex) -> assertThat(((CronParseException) ex).field()).isEqualTo("day of month"));
	}

	@ParameterizedTest(name = "''{0}''")
	@ValueSource(strings = { "0 0 29 2 *", "0 0 30 1-2 *", "0 0 31 4-7 *", "0 0 30 2 MON", "0 0 31 4 1-5",
			"0 0 29-31 2 *" })
	void dayThatOccursAtLeastSometimes(String expression) {
		assertThat(Cron.parse(expression, UTC).expression()).isEqualTo(expression);
	}

	@Test
	void nullArguments() {
		assertThatNullPointerException().isThrownBy(() -> Cron.parse(null, UTC)).withMessageContaining("expression");
		assertThatNullPointerException().isThrownBy(() -> Cron.parse("* * * * *", null)).withMessageContaining("zone");
	}

}
