package dev.autotask.boot.autoconfigure;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration of autotask's schema migration, on the DataSource autotask uses. It runs
 * after every database initializer of the application, such as its Flyway or Liquibase,
 * whichever bean is created first (see
 * {@link AutotaskSchemaInitializerDatabaseInitializerDetector}), and never touches their
 * history.
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class,
		afterName = { "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
				"org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration" })
@ConditionalOnClass(Flyway.class)
@ConditionalOnBean(DataSource.class)
@ConditionalOnBooleanProperty(name = "autotask.flyway.enabled", matchIfMissing = true)
@EnableConfigurationProperties(AutotaskProperties.class)
@Import(DatabaseInitializationDependencyConfigurer.class)
public final class AutotaskSchemaAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	AutotaskSchemaInitializer autotaskSchemaInitializer(
			@AutotaskDataSource ObjectProvider<DataSource> autotaskDataSource, ObjectProvider<DataSource> dataSources,
			AutotaskProperties properties) {
		return new AutotaskSchemaInitializer(EngineDataSource.resolve(autotaskDataSource, dataSources),
				properties.getSchema());
	}

}
