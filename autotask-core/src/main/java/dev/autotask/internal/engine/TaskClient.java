package dev.autotask.internal.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import javax.sql.DataSource;

import dev.autotask.Autotask;
import dev.autotask.BulkResult;
import dev.autotask.FireInfo;
import dev.autotask.GroupInfo;
import dev.autotask.NodeInfo;
import dev.autotask.QueueInfo;
import dev.autotask.QueuePoint;
import dev.autotask.ScheduleInfo;
import dev.autotask.Schedules;
import dev.autotask.SendOptions;
import dev.autotask.TaskAction;
import dev.autotask.TaskGroup;
import dev.autotask.TaskHandle;
import dev.autotask.TaskInfo;
import dev.autotask.TaskPage;
import dev.autotask.TaskQuery;
import dev.autotask.TaskStatus;
import dev.autotask.engine.EngineSettings;
import dev.autotask.engine.TaskObserver;
import dev.autotask.internal.jdbc.FireTable;
import dev.autotask.internal.jdbc.LeaderTable;
import dev.autotask.internal.jdbc.NodeTable;
import dev.autotask.internal.jdbc.QueueMinuteTable;
import dev.autotask.internal.jdbc.QueueTable;
import dev.autotask.internal.jdbc.RuntimeScheduleTable;
import dev.autotask.internal.jdbc.TableNames;
import dev.autotask.internal.jdbc.TaskActionTable;
import dev.autotask.internal.jdbc.TaskClientTable;
import dev.autotask.internal.jdbc.TaskConsoleTable;
import dev.autotask.internal.jdbc.TaskGroupTable;
import dev.autotask.internal.jdbc.TaskRow;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The {@link Autotask} API over the task table. It works whether or not this node's engine
 * runs: a node with {@code autotask.enabled=false} still enqueues for the others.
 */
public final class TaskClient implements Autotask {

	private static final Logger logger = LoggerFactory.getLogger(TaskClient.class);

	private final TaskClientTable table;

	private final TaskRegistry registry;

	private final TaskJson json;

	private final EngineSettings settings;

	private final TaskGroups groups;

	private final QueueTable queues;

	private final QueueStatsView queueStats;

	private final TaskConsole console;

	private final ScheduleView schedules;

	private final ScheduleBook scheduleBook;

	private final NodeTable nodes;

	private final LeaderTable leaders;

	private final TaskObserver observer;

	private final TaskObservations observations;

	/**
	 * Create the client.
	 * @param dataSource the database
	 * @param registry the tasks this application can start
	 * @param json the JSON codec
	 * @param settings the schema, default owner and result TTL
	 */
	public TaskClient(DataSource dataSource, TaskRegistry registry, TaskJson json, EngineSettings settings) {
		this(dataSource, registry, json, settings, TaskObserver.NONE);
	}

	/**
	 * Create a client that reports each task it inserts.
	 * @param dataSource the database
	 * @param registry the tasks this application can start
	 * @param json the JSON codec
	 * @param settings the schema, default owner and result TTL
	 * @param observer told of each new task
	 */
	public TaskClient(DataSource dataSource, TaskRegistry registry, TaskJson json, EngineSettings settings,
			TaskObserver observer) {
		this(dataSource, registry, json, settings, observer, ObservationRegistry.NOOP);
	}

	/**
	 * Create a client that reports each task it inserts, and observes each enqueue: the
	 * observation {@code autotask.enqueue}, whose trace context, if a tracer writes one, is stored
	 * with the task for its execution to join.
	 * @param dataSource the database
	 * @param registry the tasks this application can start
	 * @param json the JSON codec
	 * @param settings the schema, default owner and result TTL
	 * @param observer told of each new task
	 * @param observations where enqueues are observed
	 */
	public TaskClient(DataSource dataSource, TaskRegistry registry, TaskJson json, EngineSettings settings,
			TaskObserver observer, ObservationRegistry observations) {
		this.observer = observer;
		this.observations = new TaskObservations(observations, json);
		TableNames names = new TableNames(settings.schema());
		// With events on, a cancel writes the events of the tasks it ends.
		this.table = new TaskClientTable(dataSource, names, settings.events());
		this.queues = new QueueTable(dataSource, names);
		this.queueStats = new QueueStatsView(new QueueMinuteTable(dataSource, names));
		this.console = new TaskConsole(new TaskConsoleTable(dataSource, names),
				new TaskActionTable(dataSource, names), json,
				(id, owner) -> this.table.cancel(id, owner).map(TaskStatus::valueOf));
		FireTable fires = new FireTable(dataSource, names);
		this.schedules = new ScheduleView(fires, registry);
		this.scheduleBook = new ScheduleBook(new RuntimeScheduleTable(dataSource, names), fires, this.schedules,
				registry, json);
		this.nodes = new NodeTable(dataSource, names);
		this.leaders = new LeaderTable(dataSource, names);
		this.registry = registry;
		this.json = json;
		this.settings = settings;
		this.groups = new TaskGroups(new TaskGroupTable(dataSource, names), this.table, registry,
				new TransactionTemplate(new DataSourceTransactionManager(dataSource)), settings.resultTtl());
	}

	@Override
	public TaskHandle<Object> send(String name, String owner, Object... args) {
		return send(name, SendOptions.owner(owner), args);
	}

	@Override
	public TaskHandle<Object> send(String name, SendOptions options, Object... args) {
		TaskDefinition task = this.registry.get(name);
		if (options.uniqueKey() == null && (options.uniqueFor() != null || options.replacing())) {
			throw new IllegalArgumentException("Task '" + name + "' sent with " + ((options.uniqueFor() != null)
					? "uniqueFor" : "replace") + " but no uniqueKey: say which tasks are duplicates with a unique key");
		}
		String json = this.json.writeArgs(task, (args != null) ? args : new Object[] { null });
		return insert(task, options, json);
	}

	@Override
	public List<TaskHandle<Object>> sendAll(String name, SendOptions options, List<Object[]> argsList) {
		TaskDefinition task = this.registry.get(name);
		if (options.uniqueKey() != null) {
			throw new IllegalArgumentException("sendAll of task '" + name + "' takes no unique key: each task of the"
					+ " batch would conflict with the others; use send for unique tasks");
		}
		if (argsList.isEmpty()) {
			return List.of();
		}
		List<String> json = writeAll(task, argsList);
		TaskKeys keys = TaskKeys.of(task, options);
		List<String> keyList = keys.keysOf(json, this.json);
		List<Long> ids = this.observations.enqueue(task.name(), task.queue(), (traceContext) -> this.table
			.insertMany(newTask(task, options, "[]", keys, keys.sharedKey(), traceContext), json, keyList, null));
		List<TaskHandle<Object>> handles = new ArrayList<>(ids.size());
		for (long id : ids) {
			observeEnqueued(task, id);
			handles.add(new TrackedHandle<>(id, options.owner(), this, this.json, task.resultType()));
		}
		return handles;
	}

	@Override
	public TaskGroup sendGroup(String name, SendOptions options, List<Object[]> argsList, String callback) {
		TaskDefinition task = this.registry.get(name);
		List<String> json = writeAll(task, argsList);
		TaskKeys keys = TaskKeys.of(task, options);
		TaskGroups.Sent sent = this.groups.send(newTask(task, options, "[]", keys, keys.sharedKey(), null), json,
				keys.keysOf(json, this.json), callback);
		sent.ids().forEach((id) -> observeEnqueued(task, id));
		return sent.group();
	}

	@Override
	public Optional<TaskGroup> group(long id, String owner) {
		return this.groups.find(id, owner);
	}

	@Override
	public List<GroupInfo> groups(String owner, @Nullable Long before, int limit) {
		return this.groups.findNewest(owner, before, limit);
	}

	// Each task's arguments as JSON, checked against the task's parameters.
	private List<String> writeAll(TaskDefinition task, List<Object[]> argsList) {
		String name = task.name();
		List<String> json = new ArrayList<>(argsList.size());
		for (int i = 0; i < argsList.size(); i++) {
			Object[] args = argsList.get(i);
			try {
				json.add(this.json.writeArgs(task, (args != null) ? args : new Object[] { null }));
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("Task " + i + " of the batch of " + argsList.size() + " ('" + name
						+ "') was refused, nothing was enqueued: " + ex.getMessage(), ex);
			}
		}
		return json;
	}

	@Override
	public Optional<TaskStatus> cancel(long id, String owner) {
		return this.table.cancel(id, owner).map(TaskStatus::valueOf);
	}

	@Override
	public Optional<TaskStatus> retry(long id, String owner) {
		return this.console.retry(id, owner);
	}

	@Override
	public Optional<TaskStatus> runNow(long id, String owner) {
		return this.console.runNow(id, owner);
	}

	@Override
	public Optional<TaskStatus> delete(long id, String owner) {
		return this.console.delete(id, owner);
	}

	@Override
	public TaskPage find(TaskQuery query, String owner) {
		return this.console.find(query, owner);
	}

	@Override
	public Map<TaskStatus, Long> count(TaskQuery query, String owner) {
		return this.console.count(query, owner);
	}

	@Override
	public BulkResult bulk(TaskAction action, TaskQuery query, String owner) {
		return this.console.bulk(action, query, owner);
	}

	/**
	 * Start a task with arguments given as JSON, as the REST API and admin page do.
	 * @param name the task's name
	 * @param owner who starts it
	 * @param argsJson a JSON array (by position) or object (by parameter name)
	 * @return a handle on the new task
	 * @throws IllegalArgumentException if the name, owner or arguments are not acceptable
	 */
	public TaskHandle<Object> sendJson(String name, String owner, String argsJson) {
		return sendJson(name, SendOptions.owner(owner), argsJson);
	}

	@Override
	public TaskHandle<Object> sendJson(String name, SendOptions options, String argsJson) {
		TaskDefinition task = this.registry.get(name);
		return insert(task, options, this.json.checkArgs(task, argsJson));
	}

	private TaskHandle<Object> insert(TaskDefinition task, SendOptions options, String args) {
		TaskKeys keys = TaskKeys.of(task, options);
		String key = keys.keyOf(args, this.json);
		TaskClientTable.Inserted inserted = this.observations.enqueue(task.name(), task.queue(),
				(traceContext) -> this.table.insert(newTask(task, options, args, keys, key, traceContext)));
		if (inserted.created()) {
			observeEnqueued(task, inserted.id());
		}
		return new TrackedHandle<>(inserted.id(), options.owner(), this, this.json, task.resultType());
	}

	private TaskClientTable.NewTask newTask(TaskDefinition task, SendOptions options, String args, TaskKeys keys,
			@Nullable String key, @Nullable String traceContext) {
		Duration ttl = (task.ttl() != null) ? task.ttl() : this.settings.resultTtl();
		Duration delay = (options.delay() != null) ? options.delay() : task.delay();
		return new TaskClientTable.NewTask(task.name(), task.queue(), options.owner(), args, options.priority(), delay,
				task.maxAttempts(), ttl, options.uniqueKey(), options.uniqueFor(), options.replacing(),
				key, keys.limit(), keys.rateInterval(), options.startedBy(), traceContext);
	}

	private void observeEnqueued(TaskDefinition task, long id) {
		try {
			this.observer.enqueued(task.name(), task.queue());
		}
		catch (RuntimeException ex) {
			logger.warn("Task observer failed for new task {} ({})", id, task.name(), ex);
		}
	}

	@Override
	public Optional<TaskInfo> status(long id, String owner) {
		return this.table.find(id, owner).map(this::toInfo);
	}

	@Override
	public List<TaskInfo> chain(long firstId, String owner) {
		return this.table.findChain(firstId, owner).stream().map(this::toInfo).toList();
	}

	@Override
	public List<TaskInfo> history(String name, String owner, int limit) {
		this.registry.get(name);
		if (limit < 1 || limit > 1000) {
			throw new IllegalArgumentException("History limit must be 1 to 1000, got " + limit);
		}
		return this.table.findHistory(name, owner, limit).stream().map(this::toInfo).toList();
	}

	@Override
	public List<ScheduleInfo> schedules() {
		return this.schedules.list();
	}

	@Override
	public boolean pauseSchedule(String task) {
		return this.schedules.setPaused(task, true);
	}

	@Override
	public boolean resumeSchedule(String task) {
		return this.schedules.setPaused(task, false);
	}

	@Override
	public Schedules runtimeSchedules() {
		return this.scheduleBook;
	}

	@Override
	public List<FireInfo> fires(String task, int limit) {
		return this.schedules.fires(task, limit);
	}

	@Override
	public List<QueueInfo> queues(String owner) {
		return queues(this.queues.count(owner));
	}

	@Override
	public List<QueueInfo> clusterQueues() {
		return queues(this.queues.countAll());
	}

	private List<QueueInfo> queues(Map<String, QueueTable.Counts> counts) {
		List<String> paused = this.queues.findPaused();
		Set<String> names = new TreeSet<>(counts.keySet());
		names.addAll(paused);
		this.registry.definitions().forEach((task) -> names.add(task.queue()));
		return names.stream().map((name) -> {
			Map<TaskStatus, Long> byStatus = new EnumMap<>(TaskStatus.class);
			QueueTable.Counts queue = counts.getOrDefault(name, new QueueTable.Counts(Map.of(), null));
			queue.byStatus().forEach((status, count) -> byStatus.put(TaskStatus.valueOf(status), count));
			return new QueueInfo(name, byStatus, paused.contains(name), queue.oldestPendingAge());
		}).toList();
	}

	@Override
	public List<QueuePoint> queueStats(String queue, Duration window, String owner) {
		return this.queueStats.find(queue, window, owner);
	}

	@Override
	public boolean pause(String queue) {
		return setPaused(queue, true);
	}

	@Override
	public boolean resume(String queue) {
		return setPaused(queue, false);
	}

	private boolean setPaused(String queue, boolean paused) {
		if (queue == null || queue.isBlank() || queue.length() > 100) {
			throw new IllegalArgumentException("Queue name must be 1 to 100 characters, got '" + queue + "'");
		}
		boolean registered = this.registry.definitions().stream().anyMatch((task) -> task.queue().equals(queue));
		return this.queues.setPaused(queue, paused, registered);
	}

	@Override
	public String defaultOwner() {
		return this.settings.defaultOwner();
	}

	@Override
	public List<NodeInfo> nodes() {
		return this.nodes.findAlive();
	}

	@Override
	public Optional<String> leader() {
		return Optional.ofNullable(this.leaders.findLeader());
	}

	private TaskInfo toInfo(TaskRow row) {
		return toInfo(row, this.json);
	}

	static TaskInfo toInfo(TaskRow row, TaskJson json) {
		return new TaskInfo(row.id(), row.name(), row.queue(), row.owner(), TaskStatus.valueOf(row.status()),
				row.args(), row.attempt(), row.maxAttempts(), row.createdAt(), row.runAt(), row.startedAt(),
				row.finishedAt(), row.result(), json.readError(row.error()), row.progress(), row.rescues(),
				row.startedBy(), json.readAttemptErrors(row.attemptErrors()), row.groupId());
	}


}
