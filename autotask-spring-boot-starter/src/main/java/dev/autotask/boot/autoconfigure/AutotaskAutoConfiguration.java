package dev.autotask.boot.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import javax.sql.DataSource;

import dev.autotask.Autotask;
import dev.autotask.TaskEventSink;
import dev.autotask.boot.annotation.TaskAnnotationBeanPostProcessor;
import dev.autotask.boot.events.ApplicationEventSink;
import dev.autotask.engine.Engine;
import dev.autotask.engine.EngineSettings;
import dev.autotask.boot.annotation.RateLimitFormat;
import dev.autotask.engine.RateLimit;
import dev.autotask.engine.InvalidSettingException;
import dev.autotask.engine.Notifications;
import dev.autotask.engine.TaskObserver;
import dev.autotask.task.TaskRegistry;
import dev.autotask.test.TaskTesting;
import io.micrometer.observation.ObservationRegistry;
import org.postgresql.Driver;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.boot.thread.Threading;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.util.StringUtils;

/**
 * Auto-configuration of autotask: the {@link Autotask} API, the discovery of
 * {@link dev.autotask.annotation.DelayedTask @DelayedTask} methods, and, unless
 * {@code autotask.enabled=false}, this node's engine, which also relays task events from the
 * outbox to every {@link TaskEventSink} bean, in order: to the application's listeners first
 * ({@link ApplicationEventSink}), then to any other sink, such as RabbitMQ's.
 *
 * <p>
 * Everything uses one {@link DataSource}: the one marked
 * {@link AutotaskDataSource @AutotaskDataSource}, else the application's only or primary one.
 * The beans that use autotask's tables are created only after every database initializer, the
 * application's own and autotask's migration (see
 * {@link AutotaskDependsOnDatabaseInitializationDetector}).
 */
@AutoConfiguration(after = { DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
		AutotaskSchemaAutoConfiguration.class })
@ConditionalOnBean(DataSource.class)
@EnableConfigurationProperties(AutotaskProperties.class)
@Import(DatabaseInitializationDependencyConfigurer.class)
public final class AutotaskAutoConfiguration {

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static TaskAnnotationBeanPostProcessor taskAnnotationBeanPostProcessor() {
		return new TaskAnnotationBeanPostProcessor();
	}

	@Bean
	@ConditionalOnMissingBean
	TaskRegistry taskRegistry() {
		return new TaskRegistry();
	}

	@Bean
	@ConditionalOnMissingBean
	EngineSettings autotaskEngineSettings(AutotaskProperties properties, Environment environment) {
		String owner = properties.getOwner();
		if (!StringUtils.hasText(owner)) {
			owner = environment.getProperty("spring.application.name", EngineSettings.DEFAULT_OWNER);
		}
		String nodeId = properties.getNodeId();
		Map<String, Integer> queueConcurrency = new LinkedHashMap<>();
		Map<String, Integer> queueGlobalConcurrency = new LinkedHashMap<>();
		Map<String, RateLimit> queueRateLimits = new LinkedHashMap<>();
		properties.getQueues().forEach((name, queue) -> {
			if (queue.getRateLimit() != null) {
				queueRateLimits.put(name, rateLimit(name, queue.getRateLimit()));
			}
			if (queue.getGlobalConcurrency() != null) {
				queueGlobalConcurrency.put(name, queue.getGlobalConcurrency());
			}
			// Without a concurrency of its own, a limited queue runs on the default lane's number of
			// threads (at most its limit); an unlimited one listed here on one.
			if (queue.getConcurrency() != null
					|| (queue.getGlobalConcurrency() == null && queue.getRateLimit() == null)) {
				queueConcurrency.put(name, (queue.getConcurrency() != null) ? queue.getConcurrency() : 1);
			}
		});
		try {
			return EngineSettings.builder()
				.nodeId(StringUtils.hasText(nodeId) ? nodeId : EngineSettings.generateNodeId())
				.schema(properties.getSchema())
				.defaultOwner(owner)
				.workers(properties.getWorkers())
				.pollInterval(properties.getPollInterval())
				.retryDelay(properties.getRetryDelay())
				.maxRetryDelay(properties.getMaxRetryDelay())
				.resultTtl(properties.getResultTtl())
				.cleanInterval(properties.getCleanInterval())
				.shutdownTimeout(properties.getShutdownTimeout())
				.lease(properties.getLease())
				.workerMonitorInterval(properties.getWorkerMonitorInterval())
				.historyPerTask(properties.getHistory().getPerTask())
				// Events are written where the engine ends tasks; the engine also relays them.
				.events(properties.isEnabled())
				.queueConcurrency(queueConcurrency)
				.queueGlobalConcurrency(queueGlobalConcurrency)
				.queueRateLimits(queueRateLimits)
				// spring.threads.virtual.enabled, on Java 21 or later, as for Boot's own executors.
				.virtualThreads(Threading.VIRTUAL.isActive(environment))
				.build();
		}
		catch (InvalidSettingException ex) {
			// Core names its settings in its own words; the user set a property.
			throw new InvalidConfigurationPropertyValueException(propertyName(ex.setting()), ex.value(),
					ex.getMessage(), ex);
		}
	}

	/**
	 * Read a queue's rate limit, "starts/period" ("10/1s", "1000/1h").
	 * @param queue the queue
	 * @param value the property's value
	 * @return the limit
	 */
	static RateLimit rateLimit(String queue, String value) {
		try {
			return RateLimitFormat.parse(value);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException("autotask.queues." + queue + ".rate-limit", value,
					ex.getMessage());
		}
	}

	/**
	 * The property an {@link EngineSettings} component is bound from.
	 * @param setting the component's name
	 * @return the property's name
	 */
	static String propertyName(String setting) {
		return switch (setting) {
			case "defaultOwner" -> "autotask.owner";
			case "historyPerTask" -> "autotask.history.per-task";
			case "queueConcurrency" -> "autotask.queues";
			case "queueGlobalConcurrency", "queueRateLimits" -> "autotask.queues";
			case "virtualThreads" -> "spring.threads.virtual.enabled";
			default -> "autotask." + setting.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
		};
	}

	@Bean
	@ConditionalOnMissingBean
	Autotask autotask(@AutotaskDataSource ObjectProvider<DataSource> autotaskDataSource,
			ObjectProvider<DataSource> dataSources, TaskRegistry registry, EngineSettings settings,
			ObjectProvider<TaskObserver> observers, ObjectProvider<ObservationRegistry> observations) {
		return Engine.builder(EngineDataSource.resolve(autotaskDataSource, dataSources), registry)
			.settings(settings)
			.observer(TaskObserver.all(observers.orderedStream().toList()))
			.observations(observations.getIfAvailable(() -> ObservationRegistry.NOOP))
			.buildClient();
	}

	@Bean
	@Lazy
	@ConditionalOnMissingBean
	TaskTesting autotaskTaskTesting(@AutotaskDataSource ObjectProvider<DataSource> autotaskDataSource,
			ObjectProvider<DataSource> dataSources, TaskRegistry registry, EngineSettings settings) {
		return new TaskTesting(EngineDataSource.resolve(autotaskDataSource, dataSources), registry, settings);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "autotask.enabled", matchIfMissing = true)
	ApplicationEventSink autotaskApplicationEventSink(ApplicationEventPublisher publisher) {
		return new ApplicationEventSink(publisher);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "autotask.enabled", matchIfMissing = true)
	EngineLifecycle autotaskEngine(@AutotaskDataSource ObjectProvider<DataSource> autotaskDataSource,
			ObjectProvider<DataSource> dataSources, TaskRegistry registry, EngineSettings settings,
			ObjectProvider<TaskEventSink> sinks, ObjectProvider<TaskObserver> observers, Notifications notifications,
			ObjectProvider<ObservationRegistry> observations) {
		return new EngineLifecycle(Engine.builder(EngineDataSource.resolve(autotaskDataSource, dataSources), registry)
			.settings(settings)
			.sinks(sinks.orderedStream().toList())
			.observer(TaskObserver.all(observers.orderedStream().toList()))
			.notifications(notifications)
			.observations(observations.getIfAvailable(() -> ObservationRegistry.NOOP))
			.build());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "autotask.enabled", matchIfMissing = true)
	Notifications autotaskNotifications(AutotaskProperties properties, Environment environment) {
		AutotaskProperties.Listen listen = properties.getListen();
		if (!listen.isEnabled()) {
			return Notifications.pollOnly();
		}
		String url = listen.getUrl();
		if (!StringUtils.hasText(url)) {
			return Notifications.engineDataSource();
		}
		String username = (listen.getUsername() != null) ? listen.getUsername()
				: environment.getProperty("spring.datasource.username");
		String password = (listen.getPassword() != null) ? listen.getPassword()
				: environment.getProperty("spring.datasource.password");
		// No pool: the engine holds one connection, for as long as it runs.
		return Notifications.direct(new SimpleDriverDataSource(new Driver(), url, username, password), url);
	}

}
