package dev.autotask.internal.supervisor;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

import dev.autotask.schedule.Cron;
import dev.autotask.schedule.Every;
import dev.autotask.schedule.Schedule;

/**
 * When a runtime schedule fires, read from the kind, expression and zone it is stored with:
 * the one reading of them, shared by the client that checks them before storing and the firer
 * that fires them.
 */
public final class Recurrence {

	/** The kind of a schedule written as a cron expression. */
	public static final String CRON = "CRON";

	/** The kind of a schedule written as a period. */
	public static final String EVERY = "EVERY";

	private Recurrence() {
	}

	/**
	 * Read a schedule.
	 * @param kind {@link #CRON} or {@link #EVERY}
	 * @param expression a five-field cron expression, or an ISO-8601 period such as {@code PT10M}
	 * @param zone the zone a cron expression is read in (ignored for a period)
	 * @return the schedule
	 * @throws IllegalArgumentException naming what is wrong: an unknown kind or zone, a bad cron
	 * expression, a period that cannot be read or is shorter than a second
	 */
	public static Schedule parse(String kind, String expression, String zone) {
		if (CRON.equals(kind)) {
			return Cron.parse(expression, zone(zone));
		}
		if (EVERY.equals(kind)) {
			try {
				return Every.of(Duration.parse(expression));
			}
			catch (DateTimeParseException ex) {
				throw new IllegalArgumentException(
						"Period '" + expression + "' is not an ISO-8601 duration such as PT10M or PT1H", ex);
			}
		}
		throw new IllegalArgumentException("Schedule kind must be CRON or EVERY, got '" + kind + "'");
	}

	/**
	 * How to show a schedule, as declared ones are shown.
	 * @param kind {@link #CRON} or {@link #EVERY}
	 * @param expression the expression
	 * @param zone the zone of a cron expression
	 * @return "every PT10M" or "0 7 * * MON-FRI Europe/Stockholm"
	 */
	public static String describe(String kind, String expression, String zone) {
		return EVERY.equals(kind) ? "every " + expression : expression + " " + zone;
	}

	/**
	 * Read a zone.
	 * @param zone a region id such as {@code Europe/Stockholm}, or an offset such as {@code UTC}
	 * @return the zone
	 * @throws IllegalArgumentException if it is not a zone
	 */
	public static ZoneId zone(String zone) {
		try {
			return ZoneId.of(zone);
		}
		catch (DateTimeException ex) {
			throw new IllegalArgumentException("Zone '" + zone + "' is not a known time zone: " + ex.getMessage(), ex);
		}
	}

}
