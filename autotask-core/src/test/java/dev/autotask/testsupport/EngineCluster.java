package dev.autotask.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.autotask.engine.Engine;
import dev.autotask.engine.EngineSettings;
import dev.autotask.task.TaskRegistry;

/**
 * Several engines on one database, each with a pool of its own, as separate nodes would be:
 * what the tests of limits across the cluster run on. Built stopped; {@link #close()} stops
 * every engine and closes its pool.
 */
public final class EngineCluster implements AutoCloseable {

	private final List<Engine> engines = new ArrayList<>();

	private final List<HikariDataSource> dataSources = new ArrayList<>();

	/**
	 * Build one engine per node.
	 * @param postgres the database
	 * @param settings the settings every node shares; each gets its node id
	 * @param nodes the nodes' ids
	 * @param registries each node's tasks, given its id and its pool
	 */
	public EngineCluster(PostgresExtension postgres, EngineSettings settings, List<String> nodes,
			BiFunction<String, DataSource, TaskRegistry> registries) {
		for (String node : nodes) {
			// Workers, plus the notifier's connection, the dispatcher's and the supervisor's.
			HikariDataSource dataSource = postgres.newDataSource(settings.workers() + 8);
			this.dataSources.add(dataSource);
			this.engines.add(Engine.builder(dataSource, registries.apply(node, dataSource))
				.settings(settings.toBuilder().nodeId(node).build())
				.build());
		}
	}

	/**
	 * Start every engine.
	 */
	public void start() {
		this.engines.forEach(Engine::start);
	}

	/**
	 * Stop every engine; each waits for its running tasks.
	 */
	public void stop() {
		this.engines.forEach(Engine::stop);
	}

	@Override
	public void close() {
		stop();
		this.dataSources.forEach(HikariDataSource::close);
	}

}
