package dev.autotask.schedule;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * The five fields of a cron expression and the wall-clock times they match,
 * independent of any time zone.
 *
 * <p>{@link Cron} maps the wall-clock times found here onto the time line of its zone.
 */
final class CronPattern {

	private static final Map<String, String> MACROS = Map.of(
			"@yearly", "0 0 1 1 *",
			"@annually", "0 0 1 1 *",
			"@monthly", "0 0 1 * *",
			"@weekly", "0 0 * * 0",
			"@daily", "0 0 * * *",
			"@midnight", "0 0 * * *",
			"@hourly", "0 * * * *");

	private static final String EXPRESSION = "expression";

	private final CronField minutes;

	private final CronField hours;

	private final CronField daysOfMonth;

	private final CronField months;

	private final CronField daysOfWeek;

	private CronPattern(CronField[] fields) {
		this.minutes = fields[0];
		this.hours = fields[1];
		this.daysOfMonth = fields[2];
		this.months = fields[3];
		this.daysOfWeek = fields[4];
	}

	/**
	 * Parse a five-field expression or a macro such as {@code @daily}.
	 * @param expression the expression
	 * @return the pattern
	 * @throws CronParseException if the expression is not valid
	 */
	static CronPattern parse(String expression) {
		String trimmed = expression.trim();
		if (trimmed.isEmpty()) {
			throw new CronParseException(expression, EXPRESSION, expression, "the expression is empty");
		}
		if (trimmed.startsWith("@")) {
			String macro = MACROS.get(trimmed.toLowerCase(Locale.ROOT));
			if (macro == null) {
				throw new CronParseException(expression, EXPRESSION, trimmed, "unknown macro '" + trimmed
						+ "'; expected one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly");
			}
			return of(expression, macro.split(" "));
		}
		String[] fields = trimmed.split("[ \\t]+");
		if (fields.length != 5) {
			throw new CronParseException(expression, EXPRESSION, expression, "expected 5 fields "
					+ "(minute hour day-of-month month day-of-week) but found " + fields.length);
		}
		return of(expression, fields);
	}

	/**
	 * Parse the five fields of an expression given separately.
	 * @param expression the whole expression, for error messages
	 * @param fields the texts of the minute, hour, day of month, month and day of
	 * week fields
	 * @return the pattern
	 * @throws CronParseException if a field is not valid, or the day of month and
	 * month fields describe a day that never occurs
	 */
	static CronPattern of(String expression, String[] fields) {
		CronField.Type[] types = CronField.Type.values();
		CronField[] parsed = new CronField[types.length];
		for (int i = 0; i < types.length; i++) {
			parsed[i] = CronField.parse(expression, types[i], fields[i]);
		}
		CronPattern pattern = new CronPattern(parsed);
		pattern.assertDayOccurs(expression);
		return pattern;
	}

	private void assertDayOccurs(String expression) {
		if (!isDayOfMonthAndDayOfWeek()) {
			// Either day field alone matches some day of every month
			return;
		}
		for (Month month : Month.values()) {
			if (this.months.matches(month.getValue()) && this.daysOfMonth.next(1) <= month.maxLength()) {
				return;
			}
		}
		throw CronField.Type.DAY_OF_MONTH.error(expression, this.daysOfMonth.text(),
				"never occurs: no month in month field value '" + this.months.text() + "' has that day");
	}

	/**
	 * Whether a day must match both day fields (Vixie cron: when either field starts
	 * with '*') rather than either of them.
	 */
	private boolean isDayOfMonthAndDayOfWeek() {
		return (this.daysOfMonth.isWildcard() || this.daysOfWeek.isWildcard());
	}

	/**
	 * Return the normalised expression: the five fields separated by single spaces,
	 * names in upper case, macros expanded.
	 */
	String expression() {
		return String.join(" ", this.minutes.text(), this.hours.text(), this.daysOfMonth.text(),
				this.months.text(), this.daysOfWeek.text());
	}

	/**
	 * Return whether the hour field starts with {@code '*'}, so that the pattern
	 * follows elapsed hours rather than particular times of the day.
	 */
	boolean isEveryHour() {
		return this.hours.isWildcard();
	}

	/**
	 * Return the first matching wall-clock time in {@code [from, limit)}.
	 * <p>Walks the fields from the largest to the smallest unit, jumping straight to
	 * the next candidate month, day, hour or minute, so the cost is bounded by the
	 * number of days examined rather than the number of minutes.
	 * @param from the earliest acceptable time, rounded up to a whole minute
	 * @param limit the first time that is no longer acceptable
	 * @return the matching time, or {@code null} if there is none before the limit
	 */
	@Nullable LocalDateTime nextMatch(LocalDateTime from, LocalDateTime limit) {
		LocalDateTime candidate = from.truncatedTo(ChronoUnit.MINUTES);
		if (candidate.isBefore(from)) {
			candidate = candidate.plusMinutes(1);
		}
		while (candidate.isBefore(limit)) {
			int month = this.months.next(candidate.getMonthValue());
			if (month != candidate.getMonthValue()) {
				candidate = ((month != -1) ? LocalDate.of(candidate.getYear(), month, 1)
						: LocalDate.of(candidate.getYear() + 1, this.months.next(1), 1)).atStartOfDay();
				continue;
			}
			if (!matchesDay(candidate.toLocalDate())) {
				candidate = candidate.toLocalDate().plusDays(1).atStartOfDay();
				continue;
			}
			int hour = this.hours.next(candidate.getHour());
			if (hour != candidate.getHour()) {
				candidate = ((hour != -1) ? candidate.withHour(hour).withMinute(0)
						: candidate.toLocalDate().plusDays(1).atStartOfDay());
				continue;
			}
			int minute = this.minutes.next(candidate.getMinute());
			if (minute != candidate.getMinute()) {
				candidate = ((minute != -1) ? candidate.withMinute(minute)
						: candidate.withMinute(0).plusHours(1));
				continue;
			}
			return candidate;
		}
		return null;
	}

	private boolean matchesDay(LocalDate date) {
		boolean dayOfMonth = this.daysOfMonth.matches(date.getDayOfMonth());
		boolean dayOfWeek = this.daysOfWeek.matches(date.getDayOfWeek().getValue() % 7);
		return (isDayOfMonthAndDayOfWeek() ? (dayOfMonth && dayOfWeek) : (dayOfMonth || dayOfWeek));
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (this == other || (other instanceof CronPattern that && this.minutes.equals(that.minutes)
				&& this.hours.equals(that.hours) && this.daysOfMonth.equals(that.daysOfMonth)
				&& this.months.equals(that.months) && this.daysOfWeek.equals(that.daysOfWeek)));
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.minutes, this.hours, this.daysOfMonth, this.months, this.daysOfWeek);
	}

	@Override
	public String toString() {
		return expression();
	}

}
