/**
 * The engine of one node: claiming, running and recording tasks.
 *
 * <h2>Design</h2>
 * <ul>
 * <li><b>States.</b> A row is {@code PENDING} until a node claims it, {@code RUNNING} on that
 * node (its id in {@code node_id}) until it ends as {@code SUCCESS} or {@code FAILURE}, or goes
 * back to {@code PENDING} for a retry with a later {@code run_at}.</li>
 * <li><b>Claiming.</b> The {@code Dispatcher} claims due rows with one
 * {@code UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED LIMIT n)}, with {@code n} the
 * free worker slots, so nodes never wait on each other and never claim the same row.</li>
 * <li><b>Waking.</b> Enqueues {@code NOTIFY} inside their transaction; the {@code Notifier}
 * {@code LISTEN}s on a dedicated connection and wakes the dispatcher, which otherwise sleeps
 * until the next due {@code run_at} or the poll interval.</li>
 * <li><b>Invariants.</b> Time is the database's clock. An outcome is written only while the row
 * is still {@code RUNNING} on the writing node, so a node whose task was taken from it cannot
 * overwrite the new runner's outcome.</li>
 * <li><b>Failures.</b> A task's own exception, {@code OutOfMemoryError} included, is recorded
 * as a failed attempt, never lost. If the database is unreachable, the dispatcher backs off up
 * to the poll interval, the notifier reconnects with back-off, and a worker holds an outcome it
 * cannot write and writes it once the database answers (it gives up only when the engine
 * stops, leaving the row {@code RUNNING} for the hand-back); each logs the outage once, not per
 * try. No loop thread dies of an exception or an {@code Error}: a node that heartbeats but no
 * longer claims stalls silently, and one that runs tasks but no longer heartbeats has them run
 * twice.</li>
 * <li><b>Events.</b> With events on, the statement that ends a task also writes its event to
 * the outbox and notifies {@code outbox}; the notifier passes that on to the node's
 * {@code OutboxRelay} (package {@code dev.autotask.outbox}), which runs while the engine runs
 * and stops last, after the running tasks ended.</li>
 * </ul>
 */
@NullMarked
package dev.autotask.engine;

import org.jspecify.annotations.NullMarked;
