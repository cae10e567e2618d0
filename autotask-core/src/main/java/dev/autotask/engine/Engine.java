package dev.autotask.engine;

import java.util.List;

import javax.sql.DataSource;

import dev.autotask.Autotask;
import dev.autotask.TaskEventSink;
import dev.autotask.internal.engine.Node;
import dev.autotask.internal.engine.TaskClient;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.task.TaskRegistry;
import io.micrometer.observation.ObservationRegistry;

/**
 * One node's engine: a dispatcher that claims due tasks, a pool of workers that run them, a
 * notifier that wakes the dispatcher when a task is enqueued (on a connection of its own
 * when the DataSource goes through a pooler, or none: see {@link Notifications}), and the
 * supervisor that heartbeats the node and, on the leader, fires schedules and runs
 * maintenance. With {@link EngineSettings#events() events} on and at least one
 * {@link TaskEventSink}, a relay also publishes the events of ended tasks.
 *
 * <p>
 * Stopping stops claiming first and gives back the tasks claimed ahead that have not started,
 * then waits up to the shutdown timeout for running tasks to end, writes every outcome the
 * completer still holds, hands back to PENDING what is still running, lets the relay publish a
 * last batch, and resigns the lead so that another node takes it at once.
 *
 * <p>
 * Built with {@link #builder(DataSource, TaskRegistry)}, which also builds the {@link Autotask}
 * client of the same database and settings:
 * <pre class="code">
 * Engine.Builder builder = Engine.builder(dataSource, registry).settings(settings);
 * Autotask autotask = builder.buildClient();
 * Engine engine = builder.build();
 * engine.start();
 * </pre>
 */
public final class Engine {

	private final Node node;

	private final EngineSettings settings;

	private final Notifications notifications;

	private Engine(Builder builder) {
		this.settings = builder.settings;
		this.notifications = builder.notifications;
		this.node = new Node(builder.dataSource, builder.registry, builder.json, builder.settings, builder.sinks,
				builder.observer, builder.notifications, builder.observations);
	}

	/**
	 * Start building an engine, or a client, over a database whose schema holds autotask's
	 * tables.
	 * @param dataSource the database holding the task table
	 * @param registry the tasks this node runs and can start
	 * @return the builder, with default settings, no event sinks, no observer, notifications on
	 * the DataSource's own connections and no observations
	 */
	public static Builder builder(DataSource dataSource, TaskRegistry registry) {
		return new Builder(dataSource, registry);
	}

	/**
	 * Start claiming and running tasks.
	 * @throws IllegalStateException if the engine runs already
	 */
	public void start() {
		this.node.start();
	}

	/**
	 * Stop claiming, wait up to the shutdown timeout for running tasks, hand back the rest, and
	 * resign the lead. Does nothing when the engine does not run.
	 */
	public void stop() {
		this.node.stop();
	}

	/**
	 * Whether the engine runs.
	 * @return {@code true} between start and stop
	 */
	public boolean isRunning() {
		return this.node.isRunning();
	}

	/**
	 * Whether this node leads the cluster now.
	 * @return whether it leads
	 */
	public boolean isLeader() {
		return this.node.supervisor().isLeader();
	}

	/**
	 * This node's settings.
	 * @return the settings
	 */
	public EngineSettings settings() {
		return this.settings;
	}

	/**
	 * Where this node hears of new tasks.
	 * @return the notifications
	 */
	public Notifications notifications() {
		return this.notifications;
	}

	/**
	 * Builds an {@link Engine}, or the {@link Autotask} client that enqueues for engines, from
	 * the same database, registry and settings.
	 */
	public static final class Builder {

		private final DataSource dataSource;

		private final TaskRegistry registry;

		private final TaskJson json = new TaskJson();

		private EngineSettings settings = EngineSettings.defaults();

		private List<TaskEventSink> sinks = List.of();

		private TaskObserver observer = TaskObserver.NONE;

		private Notifications notifications = Notifications.engineDataSource();

		private ObservationRegistry observations = ObservationRegistry.NOOP;

		private Builder(DataSource dataSource, TaskRegistry registry) {
			this.dataSource = dataSource;
			this.registry = registry;
		}

		/**
		 * How the node runs: its id, schema, owner, workers and timings.
		 * @param settings the settings
		 * @return this builder
		 */
		public Builder settings(EngineSettings settings) {
			this.settings = settings;
			return this;
		}

		/**
		 * Where the events of ended tasks go, in order. With {@link EngineSettings#events()
		 * events} on, the engine relays them from the outbox when there is at least one.
		 * @param sinks the sinks
		 * @return this builder
		 */
		public Builder sinks(List<TaskEventSink> sinks) {
			this.sinks = List.copyOf(sinks);
			return this;
		}

		/**
		 * Who is told of each new task and of each attempt's start and end; see
		 * {@link TaskObserver#all(List)} for several.
		 * @param observer the observer
		 * @return this builder
		 */
		public Builder observer(TaskObserver observer) {
			this.observer = observer;
			return this;
		}

		/**
		 * Where the engine hears of new tasks: through a direct connection when its DataSource
		 * goes through a pooler in transaction mode, or by polling only.
		 * @param notifications the notifications
		 * @return this builder
		 */
		public Builder notifications(Notifications notifications) {
			this.notifications = notifications;
			return this;
		}

		/**
		 * Where enqueues ({@code autotask.enqueue}) and attempts ({@code autotask.execution},
		 * tagged with the task, its queue and the attempt's outcome, and joined to the trace
		 * that enqueued the task) are observed.
		 * @param observations the observation registry
		 * @return this builder
		 */
		public Builder observations(ObservationRegistry observations) {
			this.observations = observations;
			return this;
		}

		/**
		 * Build an engine that does not run yet.
		 * @return the engine
		 */
		public Engine build() {
			return new Engine(this);
		}

		/**
		 * Build the client that sends tasks and reads their status. It works whether or not an
		 * engine runs in this process: a node that runs none still enqueues for the others.
		 * @return the client
		 */
		public Autotask buildClient() {
			return new TaskClient(this.dataSource, this.registry, this.json, this.settings, this.observer,
					this.observations);
		}

	}

}
