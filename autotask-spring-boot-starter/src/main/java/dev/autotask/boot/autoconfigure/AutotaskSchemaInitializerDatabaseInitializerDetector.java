package dev.autotask.boot.autoconfigure;

import java.util.Set;

import org.springframework.boot.sql.init.dependency.AbstractBeansOfTypeDatabaseInitializerDetector;
import org.springframework.boot.sql.init.dependency.DatabaseInitializerDetector;
import org.springframework.core.Ordered;

/**
 * A {@link DatabaseInitializerDetector} for {@link AutotaskSchemaInitializer}, ordered after
 * every other detector, so that autotask's migration runs after all of the application's own
 * initializers: its Flyway or Liquibase, its SQL scripts. On an empty schema, the application's
 * Flyway would otherwise find autotask's tables without its own history table and, by default,
 * refuse to start.
 */
class AutotaskSchemaInitializerDatabaseInitializerDetector extends AbstractBeansOfTypeDatabaseInitializerDetector {

	@Override
	protected Set<Class<?>> getDatabaseInitializerBeanTypes() {
		return Set.of(AutotaskSchemaInitializer.class);
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
