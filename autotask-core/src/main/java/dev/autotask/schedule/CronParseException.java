package dev.autotask.schedule;

/**
 * Thrown when a cron expression cannot be parsed, or describes days that never occur.
 *
 * <p>The message quotes the whole expression and names the offending field and
 * value, for example {@code Invalid cron expression '61 * * * *': minute field value
 * '61' is out of range 0-59}. The same two facts are available to code through
 * {@link #field()} and {@link #value()}.
 *
 * @see Cron#parse(String, java.time.ZoneId)
 */
public final class CronParseException extends IllegalArgumentException {

	private static final long serialVersionUID = 1L;

	private final String field;

	private final String value;

	CronParseException(String expression, String field, String value, String detail) {
		super("Invalid cron expression '" + expression + "': " + detail);
		this.field = field;
		this.value = value;
	}

	/**
	 * Return the field that is wrong: {@code "minute"}, {@code "hour"},
	 * {@code "day of month"}, {@code "month"} or {@code "day of week"}, or
	 * {@code "expression"} when the expression as a whole is wrong (empty, wrong
	 * number of fields, unknown macro).
	 * @return the name of the field
	 */
	public String field() {
		return this.field;
	}

	/**
	 * Return the offending text: the bad number, name, range, step or list, or the
	 * whole expression when {@link #field()} is {@code "expression"}.
	 * @return the offending value as written
	 */
	public String value() {
		return this.value;
	}

}
