package dev.autotask.task;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The tasks this node can run, by name. Filled while the application starts; a node claims
 * only tasks it has registered, so nodes running different versions of an application leave
 * each other's new tasks alone.
 */
public final class TaskRegistry {

	// The fires of schedules created at run time are keyed so; a declared schedule by its task's name.
	private static final String RUNTIME_PREFIX = "runtime:";

	private final Map<String, TaskDefinition> definitions = new ConcurrentSkipListMap<>();

	private final Map<String, TaskSchedule> schedules = new ConcurrentSkipListMap<>();

	/**
	 * Register a task.
	 * @param definition the task
	 * @throws IllegalStateException if another task already has its name
	 */
	public void register(TaskDefinition definition) {
		TaskDefinition previous = this.definitions.putIfAbsent(definition.name(), definition);
		if (previous != null) {
			throw new IllegalStateException("Two tasks are named '" + definition.name() + "': " + previous.source()
					+ " and " + definition.source() + ". Give one of them another name.");
		}
	}

	/**
	 * Register a task that fires by itself.
	 * @param definition the task, which takes no arguments
	 * @param schedule when it fires
	 * @throws IllegalStateException if another task already has its name
	 */
	public void register(TaskDefinition definition, TaskSchedule schedule) {
		if (!definition.parameters().isEmpty()) {
			throw new IllegalStateException("Scheduled task '" + definition.name() + "' (" + definition.source()
					+ ") must take no arguments: a schedule has none to give it");
		}
		if (definition.name().startsWith(RUNTIME_PREFIX)) {
			throw new IllegalStateException("Scheduled task '" + definition.name() + "' (" + definition.source()
					+ ") must not be named '" + RUNTIME_PREFIX + "...': schedules created at run time are kept so");
		}
		register(definition);
		this.schedules.put(definition.name(), schedule);
	}

	/**
	 * The periodic and cron tasks, ordered by name.
	 * @return the schedules
	 */
	public Collection<TaskSchedule> schedules() {
		return Collections.unmodifiableCollection(this.schedules.values());
	}

	/**
	 * Find a task by name.
	 * @param name the name
	 * @return the task, or empty if none has that name
	 */
	public Optional<TaskDefinition> find(String name) {
		return Optional.ofNullable(this.definitions.get(name));
	}

	/**
	 * Find a task by name, or fail with a message naming it.
	 * @param name the name
	 * @return the task
	 * @throws IllegalArgumentException if no task has that name
	 */
	public TaskDefinition get(String name) {
		TaskDefinition definition = this.definitions.get(name);
		if (definition == null) {
			throw new IllegalArgumentException("No task is named '" + name + "'. Registered tasks: " + names());
		}
		return definition;
	}

	/**
	 * The names of all registered tasks, in order.
	 * @return the names
	 */
	public Set<String> names() {
		return Collections.unmodifiableSet(this.definitions.keySet());
	}

	/**
	 * All registered tasks, ordered by name.
	 * @return the tasks
	 */
	public Collection<TaskDefinition> definitions() {
		return Collections.unmodifiableCollection(this.definitions.values());
	}

}
