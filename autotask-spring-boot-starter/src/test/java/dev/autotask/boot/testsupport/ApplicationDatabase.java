package dev.autotask.boot.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.autotask.testsupport.PostgresExtension;

/**
 * Marks the static {@link PostgresExtension} field of a {@code @SpringBootTest} class as the
 * database of the application under test, as Boot's {@code @ServiceConnection} marks a
 * container: the application's {@code spring.datasource.*} and {@code autotask.schema} point at
 * the field's schema, each test class gets an application of its own, and the class needs no
 * {@code @DynamicPropertySource} of its own.
 *
 * <pre class="code">
 * &#64;RegisterExtension
 * &#64;ApplicationDatabase
 * static final PostgresExtension postgres = PostgresExtension.empty();
 * </pre>
 *
 * @see ApplicationDatabaseContextCustomizerFactory
 */
@Target(ElementType.FIELD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ApplicationDatabase {

}
