package dev.autotask.engine;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when an {@link EngineSettings} value is out of range. The message names the setting
 * as {@link EngineSettings.Builder} does ({@code "workers must be at least 1, was 0"}); a
 * caller that took the value from elsewhere, such as the starter from its {@code autotask.*}
 * properties, reads {@link #setting()} to report it under its own name.
 *
 * @see EngineSettings
 */
public class InvalidSettingException extends IllegalArgumentException {

	private final String setting;

	private final transient @Nullable Object value;

	/**
	 * Create an exception for one setting.
	 * @param setting the setting's name, that of its {@link EngineSettings} component
	 * @param value the value refused
	 * @param message what is wrong, naming the setting
	 */
	public InvalidSettingException(String setting, @Nullable Object value, String message) {
		super(message);
		this.setting = setting;
		this.value = value;
	}

	/**
	 * The setting refused, named as its {@link EngineSettings} component and builder method
	 * ({@code workers}, {@code pollInterval}, {@code queueConcurrency} …).
	 * @return the setting's name
	 */
	public String setting() {
		return this.setting;
	}

	/**
	 * The value refused.
	 * @return the value
	 */
	public @Nullable Object value() {
		return this.value;
	}

}
