package dev.autotask.boot.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.beans.factory.annotation.Qualifier;

/**
 * Qualifier for the {@link javax.sql.DataSource} autotask uses for its tables, its migration,
 * the engine, enqueueing, health and the REST API, when it is not the application's only or
 * primary one: a queue database, or a connection pool of its own.
 *
 * <p>
 * Declared with {@code @Bean(defaultCandidate = false)}, the qualified DataSource leaves the
 * application's own in place, auto-configured from {@code spring.datasource.*}:
 *
 * <pre class="code">
 * &#64;Bean(defaultCandidate = false)
 * &#64;AutotaskDataSource
 * &#64;ConfigurationProperties("app.autotask.datasource")
 * HikariDataSource autotaskDataSource() {
 *     return DataSourceBuilder.create().type(HikariDataSource.class).build();
 * }
 * </pre>
 *
 * <p>
 * Enqueueing then joins only transactions on this DataSource, not those on the
 * application's.
 */
@Target({ ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.TYPE,
		ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Qualifier
public @interface AutotaskDataSource {

}
