package dev.autotask.sample;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Two demo users for the admin page at /autotask: {@code admin} (role AUTOTASK_ADMIN: start,
 * cancel, pause) and {@code viewer} (role AUTOTASK_VIEWER: look only). autotask protects its
 * own path with its own filter chain; the shop's endpoints stay open, as a demo's do, and the
 * actuator's (health apart) need one of the two roles, by HTTP Basic.
 * Passwords come from {@code sample.admin-password} and {@code sample.viewer-password}.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	@Bean
	SecurityFilterChain shopSecurityFilterChain(HttpSecurity http) throws Exception {
		// The demo shop has no users of its own and no sessions to protect; the actuator's
		// endpoints, health apart, are for the same users as autotask's page.
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
	InMemoryUserDetailsManager users(@Value("${sample.admin-password:admin}") String adminPassword,
			@Value("${sample.viewer-password:viewer}") String viewerPassword) {
		return new InMemoryUserDetailsManager(
				User.withUsername("admin").password("{noop}" + adminPassword).roles("AUTOTASK_ADMIN").build(),
				User.withUsername("viewer").password("{noop}" + viewerPassword).roles("AUTOTASK_VIEWER").build());
	}

}
