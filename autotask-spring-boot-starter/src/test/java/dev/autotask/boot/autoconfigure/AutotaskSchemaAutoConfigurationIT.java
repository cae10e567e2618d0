package dev.autotask.boot.autoconfigure;

import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;

import javax.sql.DataSource;

import dev.autotask.Autotask;
import dev.autotask.QueueInfo;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration;
import org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * autotask's migration beside an application's own, on a new, empty schema each: the
 * application's Flyway or Liquibase runs first even when one of its beans, registered before
 * any auto-configuration as an application's own beans are, injects {@link Autotask} eagerly
 * and reads both its own tables and autotask's; the application still starts when autotask's
 * tables were there first; and every such application starts again on the same schema.
 */
class AutotaskSchemaAutoConfigurationIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, FlywayAutoConfiguration.class,
				LiquibaseAutoConfiguration.class, DataSourceInitializationAutoConfiguration.class,
				AutotaskSchemaAutoConfiguration.class, AutotaskAutoConfiguration.class))
		.withPropertyValues("spring.datasource.username=" + postgres.username(),
				"spring.datasource.password=" + postgres.password(), "spring.flyway.locations=classpath:db/shop/flyway",
				"spring.liquibase.change-log=classpath:db/shop/liquibase/changelog.sql",
				"spring.liquibase.enabled=false");

	@Test
	void applicationFlywayRunsFirstThoughABeanInjectsAutotaskEagerly() throws SQLException {
		String schema = postgres.newSchema();
		ApplicationContextRunner shop = shop(schema);
		shop.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(tables(schema)).contains("customer", "flyway_schema_history", "autotask_task",
					"autotask_schema_history");
			assertThat(installedOn(schema, "flyway_schema_history", "installed_on"))
				.isBefore(installedOn(schema, "autotask_schema_history", "installed_on"));
		});
		shop.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void applicationFlywayAddedAfterAutotaskBaselinesAtVersionZero() throws SQLException {
		String schema = postgres.newSchema();
		autotaskAlone(schema).run((context) -> assertThat(context).hasNotFailed());
		assertThat(tables(schema)).contains("autotask_task").doesNotContain("customer");
		// Boot's default: Flyway refuses a schema that holds tables but not its history table.
		shop(schema).run((context) -> assertThat(context).hasFailed()
			.getFailure()
			.hasStackTraceContaining("but no schema history table"));
		// What docs/operations.md (Schema) says to do: a baseline below the application's first version.
		ApplicationContextRunner baselined = shop(schema).withPropertyValues("spring.flyway.baseline-on-migrate=true",
				"spring.flyway.baseline-version=0");
		baselined.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(tables(schema)).contains("customer", "flyway_schema_history", "autotask_task");
		});
		baselined.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void applicationLiquibaseRunsFirstThoughABeanInjectsAutotaskEagerly() throws SQLException {
		String schema = postgres.newSchema();
		ApplicationContextRunner shop = liquibase(shop(schema));
		shop.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(tables(schema)).contains("customer", "databasechangelog", "autotask_task",
					"autotask_schema_history");
			assertThat(installedOn(schema, "databasechangelog", "dateexecuted"))
				.isBefore(installedOn(schema, "autotask_schema_history", "installed_on"));
		});
		shop.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void applicationLiquibaseAddedAfterAutotaskStarts() throws SQLException {
		String schema = postgres.newSchema();
		autotaskAlone(schema).run((context) -> assertThat(context).hasNotFailed());
		ApplicationContextRunner shop = liquibase(shop(schema));
		shop.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(tables(schema)).contains("customer", "databasechangelog", "autotask_task");
		});
		shop.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void applicationSqlScriptRunsFirstThoughABeanInjectsAutotaskEagerly() throws SQLException {
		String schema = postgres.newSchema();
		ApplicationContextRunner shop = shop(schema).withPropertyValues("spring.flyway.enabled=false",
				"spring.sql.init.mode=always", "spring.sql.init.schema-locations=classpath:db/shop/schema.sql");
		shop.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(tables(schema)).contains("customer", "autotask_task", "autotask_schema_history");
		});
		shop.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void autotaskInASchemaOfItsOwnStartsAfterTheApplicationFlyway() throws SQLException {
		String schema = postgres.newSchema();
		String autotaskSchema = postgres.newSchema();
		ApplicationContextRunner shop = shop(schema).withPropertyValues("autotask.schema=" + autotaskSchema);
		shop.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(tables(schema)).contains("customer", "flyway_schema_history").noneMatch(this::isAutotasks);
			assertThat(tables(autotaskSchema)).contains("autotask_task", "autotask_schema_history")
				.doesNotContain("customer");
		});
		shop.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void autotaskInASchemaOfItsOwnStartsBeforeTheApplicationFlyway() throws SQLException {
		String schema = postgres.newSchema();
		String autotaskSchema = postgres.newSchema();
		autotaskAlone(schema).withPropertyValues("autotask.schema=" + autotaskSchema)
			.run((context) -> assertThat(context).hasNotFailed());
		// The application's schema is still empty: its Flyway needs no baseline.
		assertThat(tables(schema)).isEmpty();
		ApplicationContextRunner shop = shop(schema).withPropertyValues("autotask.schema=" + autotaskSchema);
		shop.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(tables(schema)).contains("customer", "flyway_schema_history").noneMatch(this::isAutotasks);
			assertThat(tables(autotaskSchema)).contains("autotask_task", "autotask_schema_history");
		});
		shop.run((context) -> assertThat(context).hasNotFailed());
	}

	/**
	 * The application with its own Flyway migrations and its eager bean, on a schema.
	 */
	private ApplicationContextRunner shop(String schema) {
		return this.runner.withPropertyValues("spring.datasource.url=" + postgres.jdbcUrl(schema))
			.withUserConfiguration(ShopConfiguration.class);
	}

	/**
	 * The same application before it had migrations of its own.
	 */
	private ApplicationContextRunner autotaskAlone(String schema) {
		return this.runner.withPropertyValues("spring.datasource.url=" + postgres.jdbcUrl(schema),
				"spring.flyway.enabled=false");
	}

	private static ApplicationContextRunner liquibase(ApplicationContextRunner runner) {
		return runner.withPropertyValues("spring.flyway.enabled=false", "spring.liquibase.enabled=true");
	}

	private boolean isAutotasks(String table) {
		return table.startsWith("autotask_");
	}

	private List<String> tables(String schema) {
		return postgres.jdbc()
			.sql("SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name")
			.param(schema)
			.query(String.class)
			.list();
	}

	/**
	 * When a migration tool wrote its first history row.
	 */
	private Timestamp installedOn(String schema, String historyTable, String column) {
		return postgres.jdbc()
			.sql("SELECT min(" + column + ") FROM " + schema + "." + historyTable)
			.query(Timestamp.class)
			.single();
	}

	@Configuration(proxyBeanMethods = false)
	static class ShopConfiguration {

		@Bean
		Shop shop(Autotask autotask, DataSource dataSource) {
			return new Shop(autotask, dataSource);
		}

	}

	/**
	 * An application's bean that, on start-up, reads autotask's tables and its own.
	 */
	static class Shop {

		final List<QueueInfo> queues;

		final long customers;

		Shop(Autotask autotask, DataSource dataSource) {
			this.queues = autotask.queues(autotask.defaultOwner());
			this.customers = JdbcClient.create(dataSource)
				.sql("SELECT count(*) FROM customer")
				.query(Long.class)
				.single();
		}

	}

}
