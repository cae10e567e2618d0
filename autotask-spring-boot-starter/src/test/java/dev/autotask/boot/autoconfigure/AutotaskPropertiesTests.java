package dev.autotask.boot.autoconfigure;

import dev.autotask.engine.EngineSettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The properties' defaults are the engine's: a property left unset never changes behaviour.
 */
class AutotaskPropertiesTests {

	@Test
	void defaultValuesAreConsistentWithTheEngine() {
		AutotaskProperties properties = new AutotaskProperties();
		EngineSettings engine = EngineSettings.defaults();
		assertThat(properties.isEnabled()).isTrue();
		assertThat(properties.getWorkers()).isEqualTo(engine.workers());
		assertThat(properties.getPollInterval()).isEqualTo(engine.pollInterval());
		assertThat(properties.getRetryDelay()).isEqualTo(engine.retryDelay());
		assertThat(properties.getMaxRetryDelay()).isEqualTo(engine.maxRetryDelay());
		assertThat(properties.getResultTtl()).isEqualTo(engine.resultTtl());
		assertThat(properties.getCleanInterval()).isEqualTo(engine.cleanInterval());
		assertThat(properties.getShutdownTimeout()).isEqualTo(engine.shutdownTimeout());
		assertThat(properties.getLease()).isEqualTo(engine.lease());
		assertThat(properties.getWorkerMonitorInterval()).isEqualTo(engine.workerMonitorInterval());
		assertThat(properties.getHistory().getPerTask()).isEqualTo(engine.historyPerTask());
		assertThat(properties.getSchema()).isEqualTo(engine.schema());
		assertThat(properties.getListen().isEnabled()).isTrue();
		assertThat(properties.getListen().getUrl()).isNull();
		assertThat(properties.getFlyway().isEnabled()).isTrue();
		assertThat(properties.getEvents().getAmqp().isEnabled()).isFalse();
		assertThat(properties.getEvents().getAmqp().getExchange()).isEqualTo("autotask");
	}

}
