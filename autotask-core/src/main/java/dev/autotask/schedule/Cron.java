package dev.autotask.schedule;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * A {@link Schedule} defined by a five-field cron expression, evaluated against the
 * wall clock of a time zone.
 *
 * <p>The syntax and matching follow Vixie cron (not Spring's six-field
 * {@code CronExpression}): the fields are minute {@code 0-59}, hour {@code 0-23},
 * day of month {@code 1-31}, month {@code 1-12} or {@code JAN-DEC}, and day of week
 * {@code 0-7} or {@code SUN-SAT}, where both 0 and 7 are Sunday. Each field is
 * {@code *}, a value, a range {@code a-b}, a step {@code *}{@code /n},
 * {@code a-b/n} or {@code a/n} (from {@code a} to the end of the field), or a
 * comma-separated list of these. Names are case-insensitive; ranges do not wrap.
 * The macros {@code @yearly}, {@code @annually}, {@code @monthly}, {@code @weekly},
 * {@code @daily}, {@code @midnight} and {@code @hourly} stand for their usual
 * expressions.
 *
 * <p>When both the day of month and the day of week are restricted, a day matches
 * if <em>either</em> matches: {@code 0 0 1 * MON} fires on the first of the month
 * and on every Monday. When either field starts with {@code *} (including
 * {@code *}{@code /n}), a day must match both, which for a plain {@code *} means
 * only the other field counts. An expression whose days can never occur, such as
 * {@code 0 0 30 2 *}, is rejected when it is parsed.
 *
 * <p>Daylight saving time is handled so that a run at a particular time of day is
 * neither skipped nor doubled, while a schedule that runs every hour keeps running
 * every real hour:
 * <ul>
 * <li>If the hour field is restricted (does not start with {@code *}), each matching
 * wall-clock time fires exactly once. A time that falls into a spring-forward gap
 * fires at the end of the gap, once however many matching times the gap swallowed
 * ({@code 30 2 * * *} fires at 03:00 on the day Europe/Stockholm skips from 02:00 to
 * 03:00). A time that occurs twice when the clocks fall back fires at its first,
 * earlier occurrence only.</li>
 * <li>If the hour field starts with {@code *} (as in {@code 0 * * * *} or
 * {@code *}{@code /15 * * * *}), the schedule follows elapsed time, much as cronie does for
 * such jobs: wall-clock times inside a gap do not exist and are not made up for
 * (the neighbouring hours already run one real hour apart), and the repeated hour
 * after falling back fires in both of its occurrences.</li>
 * </ul>
 *
 * <p>Instances are immutable and thread-safe. Two instances are equal when their
 * fields match the same values in the same way in the same zone, even if they were
 * written differently (for example with {@code 0} or {@code 7} for Sunday).
 *
 * @see Every
 */
public final class Cron implements Schedule {

	/**
	 * How far ahead to look before giving up. A restricted day of month combined with
	 * a {@code *}{@code /n} day of week can require 29 February to fall on a particular
	 * weekday, which may take several decades.
	 */
	private static final int SEARCH_YEARS = 100;

	private final CronPattern pattern;

	private final ZoneId zone;

	private Cron(CronPattern pattern, ZoneId zone) {
		this.pattern = pattern;
		this.zone = zone;
	}

	/**
	 * Parse a five-field cron expression or macro.
	 * @param expression the expression, for example {@code "0 9 * * MON-FRI"} or
	 * {@code "@daily"}; fields are separated by spaces or tabs
	 * @param zone the time zone whose wall clock the fields refer to
	 * @return the schedule
	 * @throws CronParseException if the expression is not valid, naming the field and
	 * the value at fault
	 */
	public static Cron parse(String expression, ZoneId zone) {
		Objects.requireNonNull(expression, "'expression' must not be null");
		Objects.requireNonNull(zone, "'zone' must not be null");
		return new Cron(CronPattern.parse(expression), zone);
	}

	/**
	 * Create a schedule from separate fields, each written in cron field syntax such
	 * as {@code "*"}, {@code "0,30"}, {@code "1-5"} or {@code "*}{@code /15"}.
	 * @param minutes the minute field
	 * @param hours the hour field
	 * @param daysOfMonth the day of month field
	 * @param months the month field
	 * @param daysOfWeek the days of the week to run on; empty for every day
	 * @param zone the time zone whose wall clock the fields refer to
	 * @return the schedule
	 * @throws CronParseException if a field is not valid
	 */
	public static Cron of(String minutes, String hours, String daysOfMonth, String months,
			DayOfWeek[] daysOfWeek, ZoneId zone) {
		Objects.requireNonNull(daysOfWeek, "'daysOfWeek' must not be null");
		Objects.requireNonNull(zone, "'zone' must not be null");
		String[] fields = { field(minutes, "minutes"), field(hours, "hours"), field(daysOfMonth, "daysOfMonth"),
				field(months, "months"), daysOfWeekField(daysOfWeek) };
		return new Cron(CronPattern.of(String.join(" ", fields), fields), zone);
	}

	private static String field(String text, String name) {
		return Objects.requireNonNull(text, () -> "'" + name + "' must not be null").trim();
	}

	private static String daysOfWeekField(DayOfWeek[] daysOfWeek) {
		if (daysOfWeek.length == 0) {
			return "*";
		}
		// Cron numbers the week from Sunday (0), java.time from Monday (1) to Sunday (7)
		return Arrays.stream(daysOfWeek)
			.map((day) -> Objects.requireNonNull(day, "'daysOfWeek' must not contain null"))
			.mapToInt((day) -> day.getValue() % 7)
			.distinct()
			.sorted()
			.mapToObj((number) -> DayOfWeek.of((number == 0) ? 7 : number).name().substring(0, 3))
			.collect(Collectors.joining(","));
	}

	/**
	 * Return the normalised expression, for display: the five fields separated by
	 * single spaces, names in upper case and macros expanded, for example
	 * {@code "0 0 * * *"} for {@code "@daily"}. Parsing it again gives an equal
	 * schedule.
	 * @return the expression
	 */
	public String expression() {
		return this.pattern.expression();
	}

	/**
	 * Return the time zone whose wall clock the fields refer to.
	 * @return the zone
	 */
	public ZoneId zone() {
		return this.zone;
	}

	/**
	 * Return the first fire time strictly after {@code after}, following the
	 * daylight-saving rules described on this class.
	 * @param after the instant to search from
	 * @return the next fire time
	 * @throws IllegalStateException if nothing matches within a century, which
	 * validation when parsing rules out
	 */
	@Override
	public Instant nextAfter(Instant after) {
		ZoneRules rules = this.zone.getRules();
		// Walk the time line in stretches of constant offset, between transitions.
		// Within a stretch, wall-clock time and instants map one to one and in order.
		ZoneOffset offset = rules.getOffset(after);
		LocalDateTime from = LocalDateTime.ofInstant(after, offset).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
		LocalDateTime giveUp = from.plusYears(SEARCH_YEARS);
		Instant stretchStart = after;
		while (true) {
			ZoneOffsetTransition transition = rules.nextTransition(stretchStart);
			if (transition == null || !transition.getDateTimeBefore().isBefore(giveUp)) {
				LocalDateTime match = nextMatch(rules, offset, from, giveUp);
				if (match == null) {
					throw new IllegalStateException(
							"No fire time within " + SEARCH_YEARS + " years after " + after + " for " + this);
				}
				return match.toInstant(offset);
			}
			LocalDateTime match = nextMatch(rules, offset, from, transition.getDateTimeBefore());
			if (match != null) {
				return match.toInstant(offset);
			}
			if (transition.isGap() && !this.pattern.isEveryHour()
					&& this.pattern.nextMatch(transition.getDateTimeBefore(), transition.getDateTimeAfter()) != null) {
				// The wall-clock times in the gap do not exist: run once, as soon as the gap is over
				return transition.getInstant();
			}
			offset = transition.getOffsetAfter();
			from = transition.getDateTimeAfter();
			stretchStart = transition.getInstant();
		}
	}

	private @Nullable LocalDateTime nextMatch(ZoneRules rules, ZoneOffset offset, LocalDateTime from,
			LocalDateTime limit) {
		LocalDateTime match = this.pattern.nextMatch(from, limit);
		while (match != null && isSecondOccurrence(rules, offset, match)) {
			// The whole rest of the overlap is a repeat, so skip to its end
			ZoneOffsetTransition overlap = rules.getTransition(match);
			match = this.pattern.nextMatch(overlap.getDateTimeBefore(), limit);
		}
		return match;
	}

	/**
	 * Whether the wall-clock time, at the given offset, is the repeat of a time that
	 * already occurred before the clocks fell back, and so must not fire again.
	 */
	private boolean isSecondOccurrence(ZoneRules rules, ZoneOffset offset, LocalDateTime dateTime) {
		if (this.pattern.isEveryHour()) {
			return false;
		}
		ZoneOffsetTransition transition = rules.getTransition(dateTime);
		return (transition != null && transition.isOverlap() && transition.getOffsetAfter().equals(offset));
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (this == other || (other instanceof Cron that && this.pattern.equals(that.pattern)
				&& this.zone.equals(that.zone)));
	}

	@Override
	public int hashCode() {
		return this.pattern.hashCode() * 31 + this.zone.hashCode();
	}

	@Override
	public String toString() {
		return "cron '" + expression() + "' in " + this.zone;
	}

}
