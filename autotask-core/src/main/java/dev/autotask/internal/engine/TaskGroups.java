package dev.autotask.internal.engine;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.autotask.GroupInfo;
import dev.autotask.TaskGroup;
import dev.autotask.internal.jdbc.TaskClientTable;
import dev.autotask.internal.jdbc.TaskClientTable.NewTask;
import dev.autotask.internal.jdbc.TaskGroupTable;
import dev.autotask.internal.jdbc.TaskGroupTable.Callback;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * Groups of tasks with a callback: the group and its members are inserted in one transaction
 * (the caller's, if any); the database counts the members' ends and enqueues the callback once
 * (V19's trigger), whatever node, statement or crash ends them.
 */
final class TaskGroups {

	/** The most members of one group. */
	static final int MAX_MEMBERS = 100_000;

	/** The most groups in a page of {@link #findNewest}. */
	static final int MAX_PAGE = 500;

	private final TaskGroupTable groups;

	private final TaskClientTable tasks;

	private final TaskRegistry registry;

	private final TransactionTemplate transaction;

	private final Duration defaultTtl;

	TaskGroups(TaskGroupTable groups, TaskClientTable tasks, TaskRegistry registry, TransactionTemplate transaction,
			Duration defaultTtl) {
		this.groups = groups;
		this.tasks = tasks;
		this.registry = registry;
		this.transaction = transaction;
		this.defaultTtl = defaultTtl;
	}

	/**
	 * Insert a group of members of one task.
	 * @param member the members' row but for their arguments: task, owner and options
	 * @param args each member's JSON arguments, already checked
	 * @param keys each member's concurrency key, or empty where they share the row's
	 * @param callbackName the callback task
	 * @return the group and its members' ids
	 */
	Sent send(NewTask member, List<String> args, List<String> keys, String callbackName) {
		TaskDefinition callback = callback(callbackName);
		if (member.uniqueKey() != null) {
			throw new IllegalArgumentException("A group of task '" + member.name() + "' takes no unique key: each"
					+ " member would conflict with the others");
		}
		if (args.isEmpty() || args.size() > MAX_MEMBERS) {
			throw new IllegalArgumentException("A group has 1 to " + MAX_MEMBERS + " members, got " + args.size()
					+ " of task '" + member.name() + "'");
		}
		Duration ttl = (callback.ttl() != null) ? callback.ttl() : this.defaultTtl;
		Sent sent = this.transaction.execute((status) -> {
			long id = this.groups.insert(member.owner(), args.size(),
					new Callback(callback.name(), callback.queue(), callback.maxAttempts(), ttl));
			List<Long> ids = this.tasks.insertMany(member, args, keys, id);
			return new Sent(new TaskGroup(id, args.size(), 0, 0, 0, null), ids);
		});
		if (sent == null) {
			throw new IllegalStateException("The group of task '" + member.name() + "' was not inserted");
		}
		return sent;
	}

	Optional<TaskGroup> find(long id, String owner) {
		return this.groups.find(id, owner);
	}

	List<GroupInfo> findNewest(String owner, @Nullable Long before, int limit) {
		if (limit < 1 || limit > MAX_PAGE) {
			throw new IllegalArgumentException("limit must be between 1 and " + MAX_PAGE + ", was " + limit);
		}
		if (before != null && before <= 0) {
			throw new IllegalArgumentException("before must be a group id (1 or more), was " + before);
		}
		return this.groups.findNewest(owner, (before != null) ? before : Long.MAX_VALUE, limit);
	}

	// The callback takes the group's final counts: one parameter, a TaskGroup.
	private TaskDefinition callback(String name) {
		TaskDefinition callback = this.registry.get(name);
		if (callback.parameters().size() != 1 || !TaskGroup.class.equals(callback.parameters().get(0).type())) {
			throw new IllegalArgumentException("Callback task '" + name + "' must take one parameter, a TaskGroup (the"
					+ " group's counts), but takes " + callback.parameters());
		}
		return callback;
	}

	/**
	 * A group as sent.
	 * @param group the group
	 * @param ids its members
	 */
	record Sent(TaskGroup group, List<Long> ids) {
	}

}
