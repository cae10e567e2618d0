package dev.autotask.sample;

import java.io.IOException;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * An embedded PostgreSQL for running the sample with no set-up, used only when no
 * {@code spring.datasource.url} is given. Its data lives in a temporary directory and goes
 * when the application stops.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isEmpty()")
class EmbeddedDatabaseConfiguration {

	// Stopped by the context, after the engine has handed back its tasks and resigned, not by a
	// JVM shutdown hook of its own that would race the engine's stop (which then waited for the
	// pool's 30 s connection timeout, statement by statement).
	@Bean(destroyMethod = "close")
	EmbeddedPostgres embeddedPostgres() throws IOException {
		return EmbeddedPostgres.builder().setRegisterShutdownHook(false).start();
	}

	@Bean
	DataSource dataSource(EmbeddedPostgres postgres) {
		// Pooled, as a real application's would be.
		return DataSourceBuilder.create().url(postgres.getJdbcUrl("postgres", "postgres")).username("postgres").build();
	}

}
