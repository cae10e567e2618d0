package dev.autotask.boot.annotation;

import dev.autotask.engine.RateLimit;

import org.springframework.boot.convert.DurationStyle;

/**
 * The written form of a rate limit, {@code starts/period} ({@code "10/1s"}, {@code "1000/1h"},
 * {@code "5/PT1M"}), as properties and annotation attributes give it.
 */
public final class RateLimitFormat {

	private RateLimitFormat() {
	}

	/**
	 * Read a rate limit.
	 * @param value {@code starts/period}
	 * @return the limit
	 * @throws IllegalArgumentException naming what is wrong with the value
	 */
	public static RateLimit parse(String value) {
		int slash = value.indexOf('/');
		try {
			if (slash < 0) {
				throw new IllegalArgumentException("no '/' between the starts and the period");
			}
			return new RateLimit(Integer.parseInt(value.substring(0, slash).trim()),
					DurationStyle.detectAndParse(value.substring(slash + 1).trim()));
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(
					"A rate limit is starts/period, such as 10/1s or 1000/1h, got '" + value + "': " + ex.getMessage(), ex);
		}
	}

}
