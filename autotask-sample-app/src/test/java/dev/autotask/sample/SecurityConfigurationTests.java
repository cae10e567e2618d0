package dev.autotask.sample;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The sample's users have no fixed passwords: those not configured are generated at each start
 * and logged, as Spring Boot does for its default user.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecurityConfigurationTests {

	@Test
	void passwordsNotConfiguredAreGeneratedAndLogged(CapturedOutput output) {
		InMemoryUserDetailsManager users = new SecurityConfiguration().users(new MockEnvironment());

		String admin = password(users, "admin");
		String viewer = password(users, "viewer");
		assertThat(admin).isNotIn("admin", "viewer").hasSizeGreaterThanOrEqualTo(32);
		assertThat(viewer).isNotIn("admin", "viewer", admin).hasSizeGreaterThanOrEqualTo(32);
		assertThat(output).contains("Using generated security password for user 'admin': " + admin,
				"Using generated security password for user 'viewer': " + viewer, "sample.admin-password");
		assertThat(password(new SecurityConfiguration().users(new MockEnvironment()), "admin")).as("next start")
			.isNotEqualTo(admin);
	}

	@Test
	void configuredPasswordsAreUsedAndNotLogged(CapturedOutput output) {
		InMemoryUserDetailsManager users = new SecurityConfiguration().users(new MockEnvironment()
			.withProperty("sample.admin-password", "s3cret-admin")
			.withProperty("sample.viewer-password", "s3cret-viewer"));

		assertThat(password(users, "admin")).isEqualTo("s3cret-admin");
		assertThat(password(users, "viewer")).isEqualTo("s3cret-viewer");
		assertThat(output).doesNotContain("s3cret", "generated");
	}

	@Test
	void blankPasswordFailsStartUpNamingTheProperty() {
		assertThatIllegalStateException()
			.isThrownBy(() -> new SecurityConfiguration()
				.users(new MockEnvironment().withProperty("sample.viewer-password", " ")))
			.withMessageContaining("sample.viewer-password is blank");
	}

	private static String password(InMemoryUserDetailsManager users, String user) {
		return users.loadUserByUsername(user).getPassword().substring("{noop}".length());
	}

}
