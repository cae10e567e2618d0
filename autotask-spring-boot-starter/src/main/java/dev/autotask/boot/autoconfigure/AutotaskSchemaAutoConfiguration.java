package dev.autotask.boot.autoconfigure;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of autotask's schema migration. Runs after
 * the application's own Flyway, which it never touches.
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class,
		afterName = "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration")
@ConditionalOnClass(Flyway.class)
@ConditionalOnSingleCandidate(DataSource.class)
@ConditionalOnBooleanProperty(name = "autotask.flyway.enabled", matchIfMissing = true)
@EnableConfigurationProperties(AutotaskProperties.class)
public final class AutotaskSchemaAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	AutotaskSchemaInitializer autotaskSchemaInitializer(DataSource dataSource, AutotaskProperties properties) {
		return new AutotaskSchemaInitializer(dataSource, properties.getSchema());
	}

}
