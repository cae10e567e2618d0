package dev.autotask.schedule;

import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * One field of a cron expression, parsed into a bitmask of the values it matches.
 *
 * <p>Bit {@code n} of the mask is set when the field matches the value {@code n};
 * every field fits in a {@code long} because the largest value is 59. The day of
 * week accepts both 0 and 7 for Sunday, and 7 is folded into bit 0 so that
 * {@link #matches(int)} only ever needs {@code 0-6}.
 */
final class CronField {

	private final Type type;

	private final long bits;

	private final boolean wildcard;

	private final String text;

	private CronField(Type type, long bits, boolean wildcard, String text) {
		this.type = type;
		this.bits = bits;
		this.wildcard = wildcard;
		this.text = text;
	}

	/**
	 * Parse the text of one field.
	 * @param expression the whole expression, for error messages
	 * @param type the field to parse
	 * @param text the text of the field, for example {@code "1-5"} or {@code "*}{@code /15"}
	 * @return the parsed field
	 * @throws CronParseException if the text is not valid for the field
	 */
	static CronField parse(String expression, Type type, String text) {
		if (text.isEmpty()) {
			throw type.error(expression, text, "is empty");
		}
		long bits = 0;
		for (String item : text.split(",", -1)) {
			if (item.isEmpty()) {
				throw type.error(expression, text, "has an empty list item");
			}
			bits |= parseItem(expression, type, item);
		}
		if (type == Type.DAY_OF_WEEK && (bits & (1L << 7)) != 0) {
			bits = (bits & ~(1L << 7)) | 1L;
		}
		// Vixie cron treats a field as unrestricted when its text starts with '*',
		// which decides how the two day fields combine (see CronPattern)
		return new CronField(type, bits, text.startsWith("*"), text.toUpperCase(Locale.ROOT));
	}

	private static long parseItem(String expression, Type type, String item) {
		int slash = item.indexOf('/');
		String range = ((slash != -1) ? item.substring(0, slash) : item);
		int start;
		int end;
		if (range.equals("*")) {
			start = type.min;
			end = type.max;
		}
		else if (range.contains("*")) {
			throw type.error(expression, item, "uses '*' together with other values; '*' must stand alone");
		}
		else {
			int dash = range.indexOf('-');
			if (dash == -1) {
				start = parseValue(expression, type, range);
				// 'a/n' means from a up to the largest value of the field
				end = ((slash != -1) ? type.max : start);
			}
			else {
				String from = range.substring(0, dash);
				String to = range.substring(dash + 1);
				if (from.isEmpty() || to.isEmpty() || to.contains("-")) {
					throw type.error(expression, item, "is not a valid range; expected 'start-end'");
				}
				start = parseValue(expression, type, from);
				end = parseValue(expression, type, to);
				if (start > end) {
					// Ranges do not wrap around, as in Vixie cron
					String hint = ((type == Type.DAY_OF_WEEK) ? "; use 7 for a Sunday that ends a range" : "");
					throw type.error(expression, item, "is a range whose start is after its end" + hint);
				}
			}
		}
		int step = ((slash != -1) ? parseStep(expression, type, item, item.substring(slash + 1)) : 1);
		long bits = 0;
		for (int value = start; value <= end; value += step) {
			bits |= 1L << value;
		}
		return bits;
	}

	private static int parseStep(String expression, Type type, String item, String step) {
		if (!isDigits(step)) {
			throw type.error(expression, item, "has no valid step after '/'; expected a number");
		}
		int value = toInt(step);
		if (value < 1 || value > type.max) {
			throw type.error(expression, item,
					"has a step of " + step + "; the step must be between 1 and " + type.max);
		}
		return value;
	}

	private static int parseValue(String expression, Type type, String text) {
		if (isDigits(text)) {
			int value = toInt(text);
			if (value < type.min || value > type.max) {
				throw type.error(expression, text, "is out of range " + type.min + "-" + type.max);
			}
			return value;
		}
		int index = type.names.indexOf(text.toUpperCase(Locale.ROOT));
		if (index != -1) {
			return type.min + index;
		}
		if (type.names.isEmpty()) {
			throw type.error(expression, text, "is not a number in range " + type.min + "-" + type.max);
		}
		throw type.error(expression, text, "is neither a number in range " + type.min + "-" + type.max
				+ " nor a name " + type.names.get(0) + "-" + type.names.get(type.names.size() - 1));
	}

	private static boolean isDigits(String text) {
		return (!text.isEmpty() && text.chars().allMatch((ch) -> ch >= '0' && ch <= '9'));
	}

	private static int toInt(String digits) {
		// Anything too long for an int is out of range for every field anyway
		return ((digits.length() > 9) ? Integer.MAX_VALUE : Integer.parseInt(digits));
	}

	/**
	 * Return whether the field matches the given value.
	 * @param value the value, for the day of week {@code 0-6} with 0 for Sunday
	 * @return whether the bit for the value is set
	 */
	boolean matches(int value) {
		return (this.bits & (1L << value)) != 0;
	}

	/**
	 * Return the smallest matching value that is at least {@code from}.
	 * @param from the smallest acceptable value
	 * @return the matching value, or {@code -1} if there is none
	 */
	int next(int from) {
		if (from > this.type.max) {
			return -1;
		}
		long candidates = this.bits & (-1L << from);
		return ((candidates != 0) ? Long.numberOfTrailingZeros(candidates) : -1);
	}

	/**
	 * Return whether the text of the field starts with {@code '*'}, which Vixie cron
	 * treats as an unrestricted field even when a step follows.
	 */
	boolean isWildcard() {
		return this.wildcard;
	}

	/**
	 * Return the field as written, with names in upper case.
	 */
	String text() {
		return this.text;
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (this == other || (other instanceof CronField that && this.type == that.type
				&& this.bits == that.bits && this.wildcard == that.wildcard));
	}

	@Override
	public int hashCode() {
		return Long.hashCode(this.bits) * 31 + Boolean.hashCode(this.wildcard);
	}

	@Override
	public String toString() {
		return this.type.label + " '" + this.text + "'";
	}

	/**
	 * The five fields of a cron expression, in order.
	 */
	enum Type {

		MINUTE("minute", 0, 59, List.of()),

		HOUR("hour", 0, 23, List.of()),

		DAY_OF_MONTH("day of month", 1, 31, List.of()),

		MONTH("month", 1, 12,
				List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),

		DAY_OF_WEEK("day of week", 0, 7, List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"));

		private final String label;

		private final int min;

		private final int max;

		private final List<String> names;

		Type(String label, int min, int max, List<String> names) {
			this.label = label;
			this.min = min;
			this.max = max;
			this.names = names;
		}

		/**
		 * Return the name of the field as used in error messages, for example
		 * {@code "day of month"}.
		 */
		String label() {
			return this.label;
		}

		CronParseException error(String expression, String value, String problem) {
			return new CronParseException(expression, this.label, value,
					this.label + " field value '" + value + "' " + problem);
		}

	}

}
