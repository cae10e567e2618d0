/**
 * What an integrator needs to run autotask without the Spring Boot starter: the
 * {@link dev.autotask.engine.Engine} of one node and the client that sends tasks, both built by
 * {@link dev.autotask.engine.Engine#builder(javax.sql.DataSource, dev.autotask.task.TaskRegistry)};
 * {@link dev.autotask.engine.EngineSettings}; where the engine hears of new tasks
 * ({@link dev.autotask.engine.Notifications}); and the {@link dev.autotask.engine.TaskObserver}
 * seam that metrics hang on. How the engine works is described in
 * {@code dev.autotask.internal.engine}.
 */
@NullMarked
package dev.autotask.engine;

import org.jspecify.annotations.NullMarked;
