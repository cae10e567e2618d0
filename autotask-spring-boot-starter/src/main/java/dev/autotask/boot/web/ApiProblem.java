package dev.autotask.boot.web;

import java.util.regex.Pattern;

import org.springframework.http.HttpStatus;

/**
 * A request the REST API refuses, with the status and the detail its problem response shows.
 * The detail is written for the caller: it never holds a stack trace, SQL or class name.
 */
final class ApiProblem extends RuntimeException {

	/** Longest detail shown, so that nothing a caller sends is echoed back at length. */
	static final int MAX_DETAIL = 500;

	/** Longest piece of the caller's input (a task name, a field) quoted in a detail. */
	static final int MAX_QUOTE = 200;

	/** A package prefix of a qualified class name: "java.time." of "java.time.LocalDate". */
	private static final Pattern PACKAGE = Pattern.compile("(?<![\\w$.])(?:[a-z_][a-zA-Z0-9_]*\\.)+(?=[A-Z])");

	/** The "$" of a nested class name: "Reports$Range". */
	private static final Pattern NESTED = Pattern.compile("(?<=\\w)\\$(?=[A-Z])");

	private final HttpStatus status;

	ApiProblem(HttpStatus status, String detail) {
		// No stack trace: this is an answer, not an error of ours.
		super(abbreviate(detail, MAX_DETAIL), null, false, false);
		this.status = status;
	}

	HttpStatus status() {
		return this.status;
	}

	/**
	 * Cut a text to a length, marking the cut, without splitting a surrogate pair.
	 * @param text the text
	 * @param max the longest result before the mark
	 * @return the text, or its head followed by "…"
	 */
	static String abbreviate(String text, int max) {
		if (text.length() <= max) {
			return text;
		}
		int end = (Character.isHighSurrogate(text.charAt(max - 1))) ? max - 1 : max;
		return text.substring(0, end) + "…";
	}

	/**
	 * Shorten the qualified class names in a text to simple ones ("java.util.List&lt;
	 * com.acme.Reports$Range&gt;" to "List&lt;Reports.Range&gt;"): a caller needs the shape of
	 * a type, not the application's packages.
	 * @param text the text
	 * @return the text with simple class names
	 */
	static String simpleTypeNames(String text) {
		return NESTED.matcher(PACKAGE.matcher(text).replaceAll("")).replaceAll(".");
	}

}
