package dev.autotask.boot.testsupport;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.autotask.testsupport.PostgresExtension;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.util.Assert;
import org.springframework.util.ReflectionUtils;

/**
 * Points the application of a test class at the database of its {@link ApplicationDatabase}
 * field, in the manner of Boot's {@code ServiceConnectionContextCustomizerFactory}. Registered
 * in {@code META-INF/spring.factories}. The properties are read when the application starts,
 * after the extension has made its schema.
 */
class ApplicationDatabaseContextCustomizerFactory implements ContextCustomizerFactory {

	@Override
	public @Nullable ContextCustomizer createContextCustomizer(Class<?> testClass,
			List<ContextConfigurationAttributes> configAttributes) {
		for (Class<?> type = testClass; type != null; type = type.getEnclosingClass()) {
			Field field = find(type);
			if (field != null) {
				return new Customizer(field);
			}
		}
		return null;
	}

	private static @Nullable Field find(Class<?> type) {
		for (Class<?> candidate = type; candidate != null; candidate = candidate.getSuperclass()) {
			for (Field field : candidate.getDeclaredFields()) {
				if (field.isAnnotationPresent(ApplicationDatabase.class)) {
					Assert.state(Modifier.isStatic(field.getModifiers()) && field.getType() == PostgresExtension.class,
							() -> "@ApplicationDatabase field '" + field + "' must be a static PostgresExtension");
					return field;
				}
			}
		}
		return null;
	}

	/**
	 * Adds the field's properties ahead of every other source. Equal for the same field only,
	 * so that Spring's context cache never hands one class's application to another.
	 */
	private record Customizer(Field field) implements ContextCustomizer {

		@Override
		public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
			ReflectionUtils.makeAccessible(this.field);
			PostgresExtension postgres = (PostgresExtension) ReflectionUtils.getField(this.field, null);
			Assert.state(postgres != null, () -> "@ApplicationDatabase field '" + this.field + "' is null");
			context.getEnvironment()
				.getPropertySources()
				.addFirst(new DatabasePropertySource(postgres.springProperties()));
		}

	}

	private static final class DatabasePropertySource extends EnumerablePropertySource<Map<String, Supplier<Object>>> {

		DatabasePropertySource(Map<String, Supplier<Object>> properties) {
			super("applicationDatabase", properties);
		}

		@Override
		public String[] getPropertyNames() {
			return getSource().keySet().toArray(String[]::new);
		}

		@Override
		public @Nullable Object getProperty(String name) {
			Supplier<Object> value = getSource().get(name);
			return (value != null) ? value.get() : null;
		}

	}

}
