package dev.autotask.sample;

import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Two users for the admin page at /autotask: {@code admin} (role AUTOTASK_ADMIN: start,
 * cancel, pause) and {@code viewer} (role AUTOTASK_VIEWER: look only). autotask protects its
 * own path with its own filter chain; the shop's endpoints stay open, as a demo's do (see
 * {@link SampleController} for what keeps them harmless), and the actuator's (health apart)
 * need one of the two roles, by HTTP Basic.
 * <p>
 * Passwords come from {@code sample.admin-password} and {@code sample.viewer-password}; one not
 * set is generated at start and logged, as Spring Boot does for its default user.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(SecurityConfiguration.class);

	@Bean
	SecurityFilterChain shopSecurityFilterChain(HttpSecurity http) throws Exception {
		// The demo shop has no users of its own and no sessions to protect; the actuator's
		// endpoints, health apart, are for the same users as autotask's page. Without CSRF
		// protection: the shop's endpoints act for nobody, so a forged request can do nothing
		// an anonymous one cannot, and the actuator's exposed endpoints only read.
		return http
			.authorizeHttpRequests((requests) -> requests.requestMatchers("/actuator/health")
				.permitAll()
				.requestMatchers("/actuator/**")
				.hasAnyRole("AUTOTASK_VIEWER", "AUTOTASK_ADMIN")
				.anyRequest()
				.permitAll())
			.httpBasic(Customizer.withDefaults())
			.csrf((csrf) -> csrf.disable())
			.build();
	}

	@Bean
	InMemoryUserDetailsManager users(Environment environment) {
		return new InMemoryUserDetailsManager(
				User.withUsername("admin")
					.password("{noop}" + password(environment, "admin", "sample.admin-password"))
					.roles("AUTOTASK_ADMIN")
					.build(),
				User.withUsername("viewer")
					.password("{noop}" + password(environment, "viewer", "sample.viewer-password"))
					.roles("AUTOTASK_VIEWER")
					.build());
	}

	private static String password(Environment environment, String user, String property) {
		String password = environment.getProperty(property);
		if (password == null) {
			password = UUID.randomUUID().toString();
			logger.warn("\n\nUsing generated security password for user '{}': {}\n\nThis generated password is for "
					+ "this run only; set {} to choose one.\n", user, password, property);
			return password;
		}
		if (password.isBlank()) {
			throw new IllegalStateException(property + " is blank: set a password, or leave it unset for a generated one");
		}
		return password;
	}

}
