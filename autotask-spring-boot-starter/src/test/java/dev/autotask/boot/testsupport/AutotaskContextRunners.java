package dev.autotask.boot.testsupport;

import dev.autotask.boot.autoconfigure.AutotaskAutoConfiguration;
import dev.autotask.boot.autoconfigure.AutotaskSchemaAutoConfiguration;
import dev.autotask.boot.web.AutotaskWebAutoConfiguration;
import dev.autotask.testsupport.PostgresExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;

/**
 * Context runners for an application with autotask on the test class's database, as Spring
 * Boot's own auto-configuration tests build theirs: Boot's DataSource and transactions,
 * autotask's migration and engine, pointed at the schema of a {@link PostgresExtension}. A test
 * adds what makes it different (beans, properties, further auto-configurations) where it runs.
 *
 * <pre class="code">
 * private final ApplicationContextRunner runner = AutotaskContextRunners.application(postgres);
 * </pre>
 */
public final class AutotaskContextRunners {

	/** The name of the application's one user in a secured runner, who holds autotask's admin role. */
	public static final String ADMIN = "admin";

	/** The password of {@link #ADMIN}. */
	public static final String ADMIN_PASSWORD = "secret";

	private static final AutoConfigurations APPLICATION = AutoConfigurations.of(DataSourceAutoConfiguration.class,
			DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
			AutotaskSchemaAutoConfiguration.class, AutotaskAutoConfiguration.class);

	private static final AutoConfigurations WEB = AutoConfigurations.of(JacksonAutoConfiguration.class,
			HttpMessageConvertersAutoConfiguration.class, WebMvcAutoConfiguration.class,
			AutotaskWebAutoConfiguration.class);

	private static final AutoConfigurations SECURITY = AutoConfigurations.of(SecurityAutoConfiguration.class,
			ServletWebSecurityAutoConfiguration.class, UserDetailsServiceAutoConfiguration.class);

	private AutotaskContextRunners() {
	}

	/**
	 * An application with autotask on the database of {@code postgres}.
	 * @param postgres the test class's database
	 * @return the runner
	 */
	public static ApplicationContextRunner application(PostgresExtension postgres) {
		return new ApplicationContextRunner().withConfiguration(APPLICATION)
			.withPropertyValues(postgres.springPropertyValues());
	}

	/**
	 * A Spring MVC application with autotask and its REST API on the database of
	 * {@code postgres}, without Spring Security's auto-configuration.
	 * @param postgres the test class's database
	 * @return the runner
	 */
	public static WebApplicationContextRunner webApplication(PostgresExtension postgres) {
		return new WebApplicationContextRunner().withConfiguration(APPLICATION)
			.withConfiguration(WEB)
			.withPropertyValues(postgres.springPropertyValues());
	}

	/**
	 * A Spring MVC application with autotask and its REST API behind Spring Security, whose one
	 * user, {@value #ADMIN}, is autotask's admin (Boot's {@code spring.security.user.*}).
	 * @param postgres the test class's database
	 * @return the runner
	 */
	public static WebApplicationContextRunner securedWebApplication(PostgresExtension postgres) {
		return webApplication(postgres).withConfiguration(SECURITY)
			.withPropertyValues("spring.security.user.name=" + ADMIN, "spring.security.user.password=" + ADMIN_PASSWORD,
					"spring.security.user.roles=AUTOTASK_ADMIN");
	}

}
