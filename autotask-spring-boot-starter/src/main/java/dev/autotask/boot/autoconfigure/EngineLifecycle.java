package dev.autotask.boot.autoconfigure;

import dev.autotask.engine.Engine;

import org.springframework.context.SmartLifecycle;

/**
 * Starts this node's engine once the application context is refreshed, when every task has
 * been discovered, and stops it first on shutdown, so that running tasks can finish while the
 * rest of the application is still up.
 */
public final class EngineLifecycle implements SmartLifecycle {

	private final Engine engine;

	EngineLifecycle(Engine engine) {
		this.engine = engine;
	}

	@Override
	public void start() {
		this.engine.start();
	}

	@Override
	public void stop() {
		this.engine.stop();
	}

	@Override
	public boolean isRunning() {
		return this.engine.isRunning();
	}

	/**
	 * The engine.
	 * @return the engine
	 */
	public Engine engine() {
		return this.engine;
	}

}
