package dev.autotask.boot.autoconfigure;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.InitializingBean;

/**
 * Migrates autotask's tables with a Flyway of its own: scripts from
 * {@code classpath:db/autotask}, history in {@code autotask_schema_history}, so it never meets
 * the application's own Flyway even in the same schema.
 */
public final class AutotaskSchemaInitializer implements InitializingBean {

	/** Where the scripts are, also for teams that apply them by hand. */
	public static final String LOCATION = "classpath:db/autotask";

	/** Flyway's history table for autotask's scripts. */
	public static final String HISTORY_TABLE = "autotask_schema_history";

	private final DataSource dataSource;

	private final @Nullable String schema;

	AutotaskSchemaInitializer(DataSource dataSource, @Nullable String schema) {
		this.dataSource = dataSource;
		this.schema = schema;
	}

	@Override
	public void afterPropertiesSet() {
		FluentConfiguration configuration = Flyway.configure(getClass().getClassLoader())
			.dataSource(this.dataSource)
			.locations(LOCATION)
			.table(HISTORY_TABLE)
			// A schema that already holds the application's tables gets our history table beside them.
			.baselineOnMigrate(true)
			.baselineVersion("0");
		if (this.schema != null) {
			configuration.schemas(this.schema).defaultSchema(this.schema);
		}
		configuration.load().migrate();
	}

}
