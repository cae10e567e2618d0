package dev.autotask.boot.autoconfigure;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.autotask.Autotask;
import dev.autotask.TaskHandle;
import dev.autotask.TaskStatus;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.boot.actuate.AutotaskActuatorAutoConfiguration;
import dev.autotask.boot.actuate.AutotaskEndpoint;
import dev.autotask.boot.actuate.AutotaskHealthIndicator;
import dev.autotask.boot.web.AutotaskWebAutoConfiguration;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.BeforeEach;
import io.micrometer.context.ContextRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * Which DataSource autotask uses when the application has several: the one marked
 * {@link AutotaskDataSource @AutotaskDataSource} for everything (migration, enqueueing, the
 * engine, health, the endpoint, the REST API), else the primary one; several and none chosen fail the
 * start-up naming the fix. Each DataSource is a schema of its own as its connections' current
 * schema, and autotask's table names are left unqualified, so that a component on the wrong
 * DataSource finds no autotask table at all.
 */
class AutotaskDataSourceIT {

	static {
		// Some of these contexts hide Spring Security with a FilteredClassLoader, which the runner
		// makes the thread's context class loader. Micrometer's ContextRegistry, first used while
		// such a context starts, would then fail to load Spring Security's ThreadLocalAccessor
		// through ServiceLoader and stay broken for every later test of this JVM: initialise it
		// here, with the test's own class loader.
		ContextRegistry.getInstance();
	}

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	private String appSchema;

	private String queueSchema;

	private String[] properties;

	private ApplicationContextRunner runner;

	@BeforeEach
	void newDatabases() throws SQLException {
		this.appSchema = postgres.newSchema();
		this.queueSchema = postgres.newSchema();
		this.properties = new String[] { "app.url=" + postgres.jdbcUrl(this.appSchema),
				"queue.url=" + postgres.jdbcUrl(this.queueSchema), "db.username=" + postgres.username(),
				"db.password=" + postgres.password(), "spring.datasource.url=${app.url}",
				"spring.datasource.username=${db.username}", "spring.datasource.password=${db.password}",
				"spring.flyway.locations=classpath:db/shop/flyway", "autotask.node-id=node-a",
				"management.endpoints.web.exposure.include=autotask" };
		this.runner = new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(
				DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
				FlywayAutoConfiguration.class, AutotaskSchemaAutoConfiguration.class, AutotaskAutoConfiguration.class,
				AutotaskActuatorAutoConfiguration.class))
			.withPropertyValues(this.properties)
			.withBean("greetings", Greetings.class);
	}

	@Test
	void qualifiedDataSourceServesAutotaskBesideTheApplicationsOwn() {
		this.runner.withUserConfiguration(QueueDatabase.class).run((context) -> {
			assertThat(context).hasNotFailed();
			// Boot's DataSource is still the application's: the qualified one is no default candidate.
			assertThat(context.getBean(DataSource.class)).isNotSameAs(context.getBean("queueDataSource"));
			assertThat(tables(this.appSchema)).contains("customer", "flyway_schema_history")
				.noneMatch((table) -> table.startsWith("autotask_"));
			assertThat(tables(this.queueSchema)).contains("autotask_task", "autotask_schema_history")
				.doesNotContain("customer");
			Autotask autotask = context.getBean(Autotask.class);
			TaskHandle<Object> handle = autotask.send("greetings.hello", "me");
			await().atMost(Duration.ofSeconds(20))
				.until(() -> autotask.status(handle.id(), "me").orElseThrow().status() == TaskStatus.SUCCESS);
			assertThat(count(this.queueSchema, "autotask_task")).isOne();
			await().atMost(Duration.ofSeconds(20))
				.until(() -> context.getBean(AutotaskEndpoint.class).autotask().leader() != null);
			assertThat(context.getBean(AutotaskEndpoint.class).autotask().nodes())
				.singleElement()
				.satisfies((node) -> assertThat(node.id()).isEqualTo("node-a"));
			Health health = context.getBean(AutotaskHealthIndicator.class).health(true);
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("leader", "node-a").containsEntry("nodesAlive", 1);
		});
	}

	@Test
	void restApiReadsTheClusterFromTheQualifiedDataSource() {
		new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, FlywayAutoConfiguration.class,
					AutotaskSchemaAutoConfiguration.class, AutotaskAutoConfiguration.class,
					JacksonAutoConfiguration.class, HttpMessageConvertersAutoConfiguration.class,
					WebMvcAutoConfiguration.class, AutotaskWebAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("org.springframework.security"))
			.withPropertyValues(this.properties)
			.withPropertyValues("autotask.ui.enabled=true")
			.withUserConfiguration(QueueDatabase.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();
				await().atMost(Duration.ofSeconds(20))
					.untilAsserted(() -> mvc.perform(get("/autotask/api/nodes"))
						.andExpect(status().isOk())
						.andExpect(content().string(containsString("node-a"))));
			});
	}

	@Test
	void enqueueJoinsOnlyTransactionsOnTheQualifiedDataSource() {
		this.runner.withUserConfiguration(QueueDatabase.class)
			.withPropertyValues("autotask.enabled=false")
			.run((context) -> {
			Autotask autotask = context.getBean(Autotask.class);
			// A transaction on the application's DataSource does not hold the task back.
			rollBack(context.getBean(PlatformTransactionManager.class), () -> autotask.send("greetings.hello", "me"));
			assertThat(count(this.queueSchema, "autotask_task")).isOne();
			rollBack(new DataSourceTransactionManager(context.getBean("queueDataSource", DataSource.class)),
					() -> autotask.send("greetings.hello", "me"));
			assertThat(count(this.queueSchema, "autotask_task")).isOne();
		});
	}

	@Test
	void primaryDataSourceServesAutotaskWithoutTheQualifier() {
		this.runner.withUserConfiguration(PrimaryAndSecondDatabase.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(tables(this.appSchema)).contains("customer", "autotask_task");
			assertThat(tables(this.queueSchema)).isEmpty();
		});
	}

	@Test
	void severalDataSourcesAndNoneChosenFailStartUpNamingTheFix() {
		// Without a unique DataSource, Boot's Flyway would fail first.
		this.runner.withUserConfiguration(TwoDatabases.class)
			.withPropertyValues("spring.flyway.enabled=false")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("autotask needs one DataSource, but the application has 2 [first, second]")
				.hasStackTraceContaining("Mark the one for autotask's tables with @"
						+ AutotaskDataSource.class.getName() + ", or make the application's main one @Primary"));
	}

	@Test
	void twoQualifiedDataSourcesFailStartUpNamingBoth() {
		this.runner.withUserConfiguration(QueueDatabase.class, SecondQueueDatabase.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("Only one DataSource may be marked @AutotaskDataSource, but 2 are")
				.hasStackTraceContaining("queueDataSource")
				.hasStackTraceContaining("secondQueueDataSource"));
	}

	private static void rollBack(PlatformTransactionManager transactionManager, Runnable work) {
		new TransactionTemplate(transactionManager).executeWithoutResult((status) -> {
			work.run();
			status.setRollbackOnly();
		});
	}

	private List<String> tables(String schema) {
		return postgres.jdbc()
			.sql("SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name")
			.param(schema)
			.query(String.class)
			.list();
	}

	private long count(String schema, String table) {
		return postgres.jdbc().sql("SELECT count(*) FROM " + schema + "." + table).query(Long.class).single();
	}

	private static HikariDataSource dataSource(Environment environment, String url) {
		return DataSourceBuilder.create()
			.type(HikariDataSource.class)
			.url(environment.getRequiredProperty(url))
			.username(environment.getRequiredProperty("db.username"))
			.password(environment.getRequiredProperty("db.password"))
			.build();
	}

	/**
	 * A queue database as Boot's documentation adds a second DataSource: no default
	 * candidate, so the application's own is still auto-configured.
	 */
	@Configuration(proxyBeanMethods = false)
	static class QueueDatabase {

		@Bean(defaultCandidate = false)
		@AutotaskDataSource
		HikariDataSource queueDataSource(Environment environment) {
			return dataSource(environment, "queue.url");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SecondQueueDatabase {

		@Bean(defaultCandidate = false)
		@AutotaskDataSource
		HikariDataSource secondQueueDataSource(Environment environment) {
			return dataSource(environment, "queue.url");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PrimaryAndSecondDatabase {

		@Bean
		@Primary
		HikariDataSource first(Environment environment) {
			return dataSource(environment, "app.url");
		}

		@Bean
		HikariDataSource second(Environment environment) {
			return dataSource(environment, "queue.url");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoDatabases {

		@Bean
		HikariDataSource first(Environment environment) {
			return dataSource(environment, "app.url");
		}

		@Bean
		HikariDataSource second(Environment environment) {
			return dataSource(environment, "queue.url");
		}

	}

	public static class Greetings {

		@DelayedTask
		public void hello() {
		}

	}

}
