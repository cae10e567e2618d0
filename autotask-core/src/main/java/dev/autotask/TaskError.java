package dev.autotask;

import org.jspecify.annotations.Nullable;

/**
 * What went wrong in a task's last failed attempt.
 *
 * @param type the exception's class name
 * @param message the exception's message, if it had one
 * @param stackTrace the stack trace of an unexpected exception; {@code null} for a
 * {@link TaskFailure}, whose message is all there is to say
 */
public record TaskError(String type, @Nullable String message, @Nullable String stackTrace) {

	@Override
	public String toString() {
		return (this.message != null) ? this.type + ": " + this.message : this.type;
	}

}
