package dev.autotask.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import dev.autotask.engine.Engine;
import dev.autotask.engine.EngineSettings;
import dev.autotask.internal.engine.TaskClient;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.task.TaskRegistry;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One node's engine, not started, and the client of the same settings, over the schema of a
 * {@link PostgresExtension}: what most engine ITs set up. Registered on an instance field, it
 * builds both before each test, from the defaults with the test's schema and the changes the
 * test class names, and stops every engine it built after each test, once the class's own
 * {@code @AfterEach} methods (which may release tasks the engine waits for) have run.
 *
 * <pre class="code">
 * private final TaskRegistry registry = new TaskRegistry();
 *
 * &#64;RegisterExtension
 * final EngineExtension node = new EngineExtension(postgres, this.registry,
 *         (settings) -&gt; settings.workers(2).pollInterval(Duration.ofSeconds(30)));
 * </pre>
 *
 * Tasks registered in the registry at any time before they are sent are known to both.
 */
public final class EngineExtension implements BeforeEachCallback, AfterEachCallback {

	private final PostgresExtension postgres;

	private final TaskRegistry registry;

	private final UnaryOperator<EngineSettings.Builder> settings;

	private final List<Engine> engines = new ArrayList<>();

	private TaskClient client;

	private Engine engine;

	/**
	 * Create the extension.
	 * @param postgres the test class's database, whose schema the engine uses
	 * @param registry the tasks the engine runs and the client sends
	 * @param settings the test class's changes to the default settings
	 */
	public EngineExtension(PostgresExtension postgres, TaskRegistry registry,
			UnaryOperator<EngineSettings.Builder> settings) {
		this.postgres = postgres;
		this.registry = registry;
		this.settings = settings;
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		EngineSettings settings = this.settings.apply(EngineSettings.builder().schema(this.postgres.schema())).build();
		// The client itself, not the API: tests also send through its overloads for an owner.
		this.client = new TaskClient(this.postgres.dataSource(), this.registry, new TaskJson(), settings);
		this.engine = Engine.builder(this.postgres.dataSource(), this.registry).settings(settings).build();
		this.engines.add(this.engine);
	}

	@Override
	public void afterEach(ExtensionContext context) {
		this.engines.forEach(Engine::stop);
		this.engines.clear();
	}

	/**
	 * The client that sends tasks and reads them, with the settings the engine was first built
	 * with.
	 * @return the client
	 */
	public TaskClient client() {
		return this.client;
	}

	/**
	 * The engine, as last built.
	 * @return the engine
	 */
	public Engine engine() {
		return this.engine;
	}

	/**
	 * Replace the engine, which must not run yet, by one with other settings; the client stays
	 * as it is.
	 * @param changes the changes to the engine's settings
	 * @return the new engine, not started
	 */
	public Engine rebuild(UnaryOperator<EngineSettings.Builder> changes) {
		EngineSettings settings = changes.apply(this.engine.settings().toBuilder()).build();
		this.engine = Engine.builder(this.postgres.dataSource(), this.registry).settings(settings).build();
		this.engines.add(this.engine);
		return this.engine;
	}

}
