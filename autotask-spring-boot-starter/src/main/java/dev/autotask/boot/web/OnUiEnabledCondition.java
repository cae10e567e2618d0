package dev.autotask.boot.web;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;

/**
 * Matches when the REST API is to be served: as {@code autotask.ui.enabled} says where it is
 * set, else only where Spring Security is on the class path to protect it.
 */
final class OnUiEnabledCondition extends SpringBootCondition {

	static final String PROPERTY = "autotask.ui.enabled";

	static final String HTTP_SECURITY = "org.springframework.security.config.annotation.web.builders.HttpSecurity";

	static final String SECURITY_FILTER_CHAIN = "org.springframework.security.web.SecurityFilterChain";

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		ConditionMessage.Builder message = ConditionMessage.forCondition("autotask UI");
		Boolean enabled = context.getEnvironment().getProperty(PROPERTY, Boolean.class);
		if (enabled != null) {
			return new ConditionOutcome(enabled, message.because(PROPERTY + " is " + enabled));
		}
		boolean security = ClassUtils.isPresent(HTTP_SECURITY, context.getClassLoader())
				&& ClassUtils.isPresent(SECURITY_FILTER_CHAIN, context.getClassLoader());
		return (security) ? ConditionOutcome.match(message.because("Spring Security is on the class path"))
				: ConditionOutcome.noMatch(message.because("Spring Security is not on the class path and "
						+ PROPERTY + " is not set"));
	}

}
