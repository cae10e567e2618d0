package dev.autotask.boot.amqp;

import com.rabbitmq.client.ConnectionFactory;
import dev.autotask.boot.autoconfigure.AutotaskAutoConfiguration;
import dev.autotask.boot.autoconfigure.EngineLifecycle;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory.ConfirmType;
import org.springframework.amqp.rabbit.connection.RabbitConnectionFactoryBean;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.amqp.autoconfigure.CachingConnectionFactoryConfigurer;
import org.springframework.boot.amqp.autoconfigure.ConnectionFactoryCustomizer;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.amqp.autoconfigure.RabbitConnectionDetails;
import org.springframework.boot.amqp.autoconfigure.RabbitConnectionFactoryBeanConfigurer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of task events sent to RabbitMQ, when Spring AMQP is on the class path,
 * {@code autotask.events.amqp.enabled=true} and this node runs the engine.
 *
 * <p>
 * Defines the durable topic exchange {@code autotask.events.amqp.exchange} (declared by the
 * application's {@code AmqpAdmin}, and by the sink itself) and a {@link RabbitTaskEventSink}
 * that publishes with publisher confirms on a connection of its own, named
 * {@code autotask-events} and configured like Boot's own from {@code spring.rabbitmq.*}.
 */
@AutoConfiguration(after = { RabbitAutoConfiguration.class, AutotaskAutoConfiguration.class })
@ConditionalOnClass({ RabbitTemplate.class, RabbitConnectionFactoryBeanConfigurer.class })
@ConditionalOnBooleanProperty("autotask.events.amqp.enabled")
@ConditionalOnBean(EngineLifecycle.class)
@EnableConfigurationProperties(AutotaskEventsProperties.class)
public final class AutotaskAmqpAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "autotaskExchange")
	TopicExchange autotaskExchange(AutotaskEventsProperties properties) {
		return new TopicExchange(properties.getAmqp().getExchange(), true, false);
	}

	@Bean
	@ConditionalOnMissingBean
	RabbitTaskEventSink autotaskRabbitTaskEventSink(AutotaskEventsProperties properties,
			ObjectProvider<RabbitConnectionFactoryBeanConfigurer> factoryBeanConfigurer,
			ObjectProvider<CachingConnectionFactoryConfigurer> connectionFactoryConfigurer,
			ObjectProvider<RabbitConnectionDetails> connectionDetails,
			ObjectProvider<ConnectionFactoryCustomizer> customizers) {
		RabbitConnectionFactoryBeanConfigurer rabbitConfigurer = factoryBeanConfigurer.getIfAvailable();
		CachingConnectionFactoryConfigurer cachingConfigurer = connectionFactoryConfigurer.getIfAvailable();
		RabbitConnectionDetails details = connectionDetails.getIfAvailable();
		if (rabbitConfigurer == null || cachingConfigurer == null || details == null) {
			throw new IllegalStateException("autotask.events.amqp.enabled=true needs Spring Boot's RabbitMQ "
					+ "auto-configuration (RabbitAutoConfiguration), which is not active");
		}
		// As Boot builds its own connection factory, with confirms on: a second factory with the
		// same settings, rather than a change to the application's.
		EventsConnectionFactoryBean factoryBean = new EventsConnectionFactoryBean(details.getSslBundle());
		rabbitConfigurer.configure(factoryBean);
		factoryBean.afterPropertiesSet();
		ConnectionFactory rabbitFactory = factoryBean.getRabbitConnectionFactory();
		customizers.orderedStream().forEach((customizer) -> customizer.customize(rabbitFactory));
		CachingConnectionFactory connectionFactory = new CachingConnectionFactory(rabbitFactory);
		cachingConfigurer.configure(connectionFactory);
		connectionFactory.setPublisherConfirmType(ConfirmType.SIMPLE);
		connectionFactory.setPublisherReturns(false);
		connectionFactory.setConnectionNameStrategy((factory) -> "autotask-events");
		AutotaskEventsProperties.Amqp amqp = properties.getAmqp();
		return new RabbitTaskEventSink(connectionFactory, amqp.getExchange(), amqp.getRoutingKeyPrefix());
	}

	/**
	 * Applies an SSL bundle as Boot's own factory bean does; without this, a bundle would be
	 * ignored and TLS would trust any certificate.
	 */
	private static final class EventsConnectionFactoryBean extends RabbitConnectionFactoryBean {

		private final @Nullable SslBundle sslBundle;

		private boolean hostnameVerification;

		EventsConnectionFactoryBean(@Nullable SslBundle sslBundle) {
			this.sslBundle = sslBundle;
		}

		@Override
		public void setEnableHostnameVerification(boolean enable) {
			super.setEnableHostnameVerification(enable);
			this.hostnameVerification = enable;
		}

		@Override
		protected void setUpSSL() {
			if (this.sslBundle == null) {
				super.setUpSSL();
				return;
			}
			this.connectionFactory.useSslProtocol(this.sslBundle.createSslContext());
			if (this.hostnameVerification) {
				this.connectionFactory.enableHostnameVerification();
			}
		}

	}

}
