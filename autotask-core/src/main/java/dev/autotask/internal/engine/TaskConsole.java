package dev.autotask.internal.engine;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

import dev.autotask.BulkResult;
import dev.autotask.TaskAction;
import dev.autotask.TaskInfo;
import dev.autotask.TaskPage;
import dev.autotask.TaskQuery;
import dev.autotask.TaskStatus;
import dev.autotask.internal.jdbc.TaskActionTable;
import dev.autotask.internal.jdbc.TaskConsoleTable;
import dev.autotask.internal.jdbc.TaskConsoleTable.TaskKey;
import dev.autotask.internal.json.TaskJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator does through {@code Autotask}: find tasks across all names, and retry, run
 * now, delete or cancel one or every task a query matches. Owner-scoped, as the table is.
 */
final class TaskConsole {

	// Small enough that each batch of a bulk action is a short statement.
	private static final int BULK_BATCH = 1000;

	private static final Logger logger = LoggerFactory.getLogger(TaskConsole.class);

	private final TaskConsoleTable table;

	private final TaskActionTable actions;

	private final TaskJson json;

	private final BiFunction<Long, String, Optional<TaskStatus>> cancel;

	TaskConsole(TaskConsoleTable table, TaskActionTable actions, TaskJson json, BiFunction<Long, String, Optional<TaskStatus>> cancel) {
		this.table = table;
		this.actions = actions;
		this.json = json;
		this.cancel = cancel;
	}

	Optional<TaskStatus> retry(long id, String owner) {
		return (this.actions.retryMany(List.of(id), owner) == 1) ? Optional.of(TaskStatus.PENDING)
				: this.actions.findStatus(id, owner);
	}

	Optional<TaskStatus> runNow(long id, String owner) {
		this.actions.runNowMany(List.of(id), owner);
		return this.actions.findStatus(id, owner);
	}

	Optional<TaskStatus> delete(long id, String owner) {
		// Not deleted: the task runs, or the owner has none of that id.
		return this.actions.delete(id, owner).or(() -> this.actions.findStatus(id, owner));
	}

	TaskPage find(TaskQuery query, String owner) {
		TaskQuery checked = checked(query);
		List<TaskInfo> tasks = this.table.find(checked, owner)
			.stream()
			.map((row) -> TaskClient.toInfo(row, this.json))
			.toList();
		Long next = (tasks.size() == checked.limit()) ? tasks.get(tasks.size() - 1).id() : null;
		return new TaskPage(tasks, this.table.count(checked, owner, (int) TaskPage.COUNT_CAP), next);
	}

	Map<TaskStatus, Long> count(TaskQuery query, String owner) {
		return this.table.countExact(checked(query), owner);
	}

	BulkResult bulk(TaskAction action, TaskQuery query, String owner) {
		TaskQuery checked = checked(query).fromNewest();
		Set<TaskStatus> statuses = EnumSet.copyOf(action.appliesTo());
		if (!checked.statuses().isEmpty()) {
			statuses.retainAll(checked.statuses());
		}
		long matched = 0;
		long changed = 0;
		TaskKey after = null;
		while (!statuses.isEmpty()) {
			List<TaskKey> keys = this.table.findKeys(checked, statuses, owner, after, BULK_BATCH);
			if (keys.isEmpty()) {
				break;
			}
			matched += keys.size();
			changed += act(action, keys.stream().map(TaskKey::id).toList(), owner);
			after = keys.get(keys.size() - 1);
		}
		logger.info("{} of {} task(s) of owner {} matching {}: {} changed", action, matched, owner, checked, changed);
		return new BulkResult(matched, changed);
	}

	private int act(TaskAction action, List<Long> ids, String owner) {
		return switch (action) {
			case RETRY -> this.actions.retryMany(ids, owner);
			case RUN_NOW -> this.actions.runNowMany(ids, owner);
			case DELETE -> this.actions.deleteMany(ids, owner);
			// One by one: a cancel ends a whole chain and writes its events, as a single cancel does.
			case CANCEL -> (int) ids.stream()
				.map((id) -> this.cancel.apply(id, owner))
				.filter((status) -> status.filter((s) -> s == TaskStatus.CANCELLED || s == TaskStatus.RUNNING)
					.isPresent())
				.count();
		};
	}

	private TaskQuery checked(TaskQuery query) {
		String argsContain = query.argsContain();
		return (argsContain != null)
				? query.toBuilder().argsContain(this.json.checkContainment(argsContain)).build() : query;
	}

}
