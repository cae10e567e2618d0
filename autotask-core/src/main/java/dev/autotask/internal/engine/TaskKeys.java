package dev.autotask.internal.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.autotask.SendOptions;
import dev.autotask.internal.json.TaskJson;
import dev.autotask.task.ConcurrencyKey;
import dev.autotask.task.TaskDefinition;
import org.jspecify.annotations.Nullable;

/**
 * Where a start's concurrency key and its limits come from: the start's own options, else the
 * task's definition, whose key is one of the arguments ({@code @DelayedTask(concurrencyKey =
 * "customerId")}).
 *
 * @param task the task started
 * @param sharedKey the key every task of the start has, or {@code null}
 * @param keyArgument the position of the argument that is each task's key, or -1
 * @param limit how many with a key may run at once, 0 for no limit
 * @param rateInterval the time between two starts with a key, or {@code null} for no rate limit
 */
record TaskKeys(TaskDefinition task, @Nullable String sharedKey, int keyArgument, int limit,
		@Nullable Duration rateInterval) {

	/** Longest concurrency key. */
	private static final int MAX_KEY_LENGTH = 200;

	static TaskKeys of(TaskDefinition task, SendOptions options) {
		if (options.concurrencyKey() != null) {
			if (options.concurrencyLimit() == 0 && options.keyRatePeriod() == null) {
				throw new IllegalArgumentException("Concurrency key '" + options.concurrencyKey() + "' of task '"
						+ task.name() + "' has neither a limit on running tasks nor a rate limit");
			}
			return new TaskKeys(task, options.concurrencyKey(), -1, options.concurrencyLimit(),
					options.keyRateInterval());
		}
		if (options.keyRatePeriod() != null) {
			throw new IllegalArgumentException("Task '" + task.name() + "' sent with keyRateLimit but no "
					+ "concurrencyKey: say which tasks share the rate with a concurrency key");
		}
		ConcurrencyKey key = task.concurrencyKey();
		if (key == null) {
			return new TaskKeys(task, null, -1, 0, null);
		}
		Duration interval = (key.ratePeriod() != null) ? key.ratePeriod().dividedBy(key.rateStarts()) : null;
		return new TaskKeys(task, null, task.keyArgument(), key.limit(), interval);
	}

	/**
	 * The key of one task.
	 * @param argsJson its arguments, as stored
	 * @param json reads them
	 * @return the key, or {@code null} for none
	 * @throws IllegalArgumentException if the argument that is the key is null, empty or too long
	 */
	@Nullable String keyOf(String argsJson, TaskJson json) {
		if (this.keyArgument < 0) {
			return this.sharedKey;
		}
		String key = json.argumentText(argsJson, this.keyArgument);
		String parameter = this.task.parameters().get(this.keyArgument).name();
		if (key == null || key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
			throw new IllegalArgumentException("Task '" + this.task.name() + "' takes its concurrency key from argument '"
					+ parameter + "', which must be 1 to " + MAX_KEY_LENGTH + " characters, got "
					+ ((key == null) ? "null" : "'" + key + "'"));
		}
		return key;
	}

	/**
	 * The keys of many tasks, each its own, or none where they share one.
	 * @param argsJson each task's arguments, as stored
	 * @param json reads them
	 * @return the keys, in the order of the arguments, or empty
	 */
	List<String> keysOf(List<String> argsJson, TaskJson json) {
		if (this.keyArgument < 0) {
			return List.of();
		}
		List<String> keys = new ArrayList<>(argsJson.size());
		for (int i = 0; i < argsJson.size(); i++) {
			try {
				keys.add(keyOf(argsJson.get(i), json));
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalArgumentException("Task " + i + " of the batch of " + argsJson.size() + " ('"
						+ this.task.name() + "') was refused, nothing was enqueued: " + ex.getMessage(), ex);
			}
		}
		return keys;
	}

}
