package dev.autotask.internal.jdbc;

import java.util.List;

import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tables that churn like queues are vacuumed and analyzed as such (V26): once 2% of them has
 * changed, not PostgreSQL's fifth, and faster.
 */
class QueueTableSettingsIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.migrated();

	@Test
	void theTaskTableIsVacuumedAndAnalyzedOnceTwoPercentHasChanged() {
		assertThat(settingsOf("autotask_task")).contains("autovacuum_vacuum_scale_factor=0.02",
				"autovacuum_vacuum_insert_scale_factor=0.02", "autovacuum_analyze_scale_factor=0.02",
				"autovacuum_vacuum_cost_limit=2000");
	}

	@Test
	void theOutboxIsVacuumedOnceTwoPercentHasChanged() {
		assertThat(settingsOf("autotask_outbox")).contains("autovacuum_vacuum_scale_factor=0.02",
				"autovacuum_vacuum_cost_limit=2000");
	}

	private static List<String> settingsOf(String table) {
		return postgres.jdbc()
			.sql("SELECT unnest(reloptions) FROM pg_class WHERE oid = CAST(:table AS regclass)")
			.param("table", postgres.schema() + "." + table)
			.query(String.class)
			.list();
	}

}
