package dev.autotask;

/**
 * What a bulk action did to the tasks a query matched.
 *
 * @param matched the tasks the query matched that the action applies to (for a retry, those
 * that had failed or were cancelled)
 * @param changed the tasks it changed; fewer than matched when some changed meanwhile (a retry
 * whose unique key another pending task holds, a task that started before it was deleted)
 * @see Autotask#retryAll(TaskQuery, String)
 */
public record BulkResult(long matched, long changed) {

}
