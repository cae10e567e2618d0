package dev.autotask.boot.actuate;

import java.util.LinkedHashSet;
import java.util.Set;

import dev.autotask.Autotask;
import dev.autotask.boot.autoconfigure.AutotaskAutoConfiguration;
import dev.autotask.boot.autoconfigure.AutotaskProperties;
import dev.autotask.boot.autoconfigure.EngineLifecycle;
import dev.autotask.engine.EngineSettings;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of autotask's Micrometer meters, health indicator and actuator endpoint,
 * each where the application has the library it needs.
 */
@AutoConfiguration(after = AutotaskAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnBean({ Autotask.class, EngineSettings.class })
public final class AutotaskActuatorAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	@ConditionalOnBean(MeterRegistry.class)
	static final class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		AutotaskMetrics autotaskMetrics(MeterRegistry registry, ObjectProvider<Autotask> autotask,
				AutotaskProperties properties) {
			// The API is looked up when the gauges are first read: it is itself built with this observer.
			// The gauges count every owner's tasks: they are the cluster's queue depths.
			Set<String> known = new LinkedHashSet<>();
			known.add("default");
			known.addAll(properties.getQueues().keySet());
			return new AutotaskMetrics(registry, () -> autotask.getObject().clusterQueues(), known,
					AutotaskMetrics.DEFAULT_QUEUE_DEPTH_TTL);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(HealthIndicator.class)
	@ConditionalOnEnabledHealthIndicator("autotask")
	static final class HealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "autotaskHealthIndicator")
		AutotaskHealthIndicator autotaskHealthIndicator(Autotask autotask, EngineSettings settings,
				ObjectProvider<EngineLifecycle> engine) {
			EngineLifecycle lifecycle = engine.getIfAvailable();
			return new AutotaskHealthIndicator(autotask, settings.nodeId(),
					(lifecycle != null) ? lifecycle.engine() : null, settings.lease());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Endpoint.class)
	@ConditionalOnAvailableEndpoint(AutotaskEndpoint.class)
	static final class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		AutotaskEndpoint autotaskEndpoint(Autotask autotask) {
			return new AutotaskEndpoint(autotask);
		}

	}

}
