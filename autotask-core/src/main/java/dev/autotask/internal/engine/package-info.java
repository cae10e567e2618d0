/**
 * The engine of one node: claiming, running and recording tasks. Internal; not API; may change
 * in any release: applications build and start it through {@code dev.autotask.engine.Engine}.
 *
 * <h2>Design</h2>
 * <ul>
 * <li><b>States.</b> A row is {@code PENDING} until a node claims it, {@code RUNNING} on that
 * node (its id in {@code node_id}) until it ends as {@code SUCCESS} or {@code FAILURE}, or goes
 * back to {@code PENDING} for a retry with a later {@code run_at}. A cancel ends a
 * {@code PENDING} row {@code CANCELLED} at once and sets {@code cancel_requested} on a
 * {@code RUNNING} one; from then on every statement that would run the task again (the next link
 * of a chain, a snooze, a hand-back) ends it {@code CANCELLED} instead, reading the flag itself,
 * so that no cancel committed before it is missed.</li>
 * <li><b>Claiming.</b> The {@code Dispatcher} claims due rows with one
 * {@code UPDATE ... WHERE id = ANY(ARRAY(SELECT ... FOR UPDATE SKIP LOCKED LIMIT n))}, so nodes
 * never wait on each other and never claim the same row. Each claim starts after the last task
 * the one before took; one from the front, at least once a second and after the notification
 * of a task enqueued before that place (a higher priority, or a transaction that began earlier),
 * finds any task left behind. Each {@code Lane} claims ahead into a small
 * buffer its workers take from, as many as they end in 20 ms (at most 256; none while they end
 * fewer than one in that time); those rows are {@code RUNNING} on the node, given back with their claim undone on
 * stop, and rescued with the node's other tasks after a crash.</li>
 * <li><b>Running.</b> The {@code TaskRunner} finds the task and reads its arguments; the
 * {@code AttemptRunner} runs its code and says how the attempt ended, touching no database. A
 * task with a timeout is watched by the {@code Watchdog}: whichever ends the attempt first, the
 * task or the watchdog at the timeout, records its outcome, and the watchdog interrupts the
 * worker. The runner hands the outcome to the completer, or writes the rare one that changes
 * other rows too (a continuation, a snooze) itself, through the {@code OutcomeWriter}, which
 * tries again while the database is away or the heap is full.</li>
 * <li><b>Completing.</b> Workers hand outcomes to the {@code Completer}, which writes many in one
 * statement, each under the node-and-attempt guard, the first at once and the rest as they pile
 * up during a write (group commit). A row stays {@code RUNNING} until its outcome commits, so no
 * end is reported before it is durable; observers hear of it after the commit. A failed write is
 * retried with back-off by the {@code BatchWriter}, and stopping writes every outcome before
 * anything is handed back.</li>
 * <li><b>Waking.</b> Enqueues {@code NOTIFY} inside their transaction; the {@code Notifier}
 * {@code LISTEN}s on a dedicated connection and wakes the dispatcher, which otherwise sleeps
 * until the next due {@code run_at} or the poll interval. The next due time is looked up when
 * the claims come back short, and kept while the inserts' notifications, which carry their
 * tasks' due time, tell of every task that could come before it ({@code NextDue}). That connection comes from the
 * engine's DataSource, or from a direct one when the DataSource goes through a pooler in
 * transaction mode, whose sessions are not the client's; or there is none, and the engine only
 * polls ({@code Notifications}). The notifier checks that its session is its own by notifying
 * itself, and warns when the probe does not come back.</li>
 * <li><b>Invariants.</b> Time is the database's clock. An outcome is written only while the row
 * is still {@code RUNNING} on the writing node, so a node whose task was taken from it cannot
 * overwrite the new runner's outcome. Every row {@code RUNNING} on a node is held in its
 * {@code HeldTasks} from its claim until its outcome is written; the supervisor hands back one
 * that is not (a stray), once it was claimed more than two heartbeat intervals ago.</li>
 * <li><b>Failures.</b> A task's own exception, {@code OutOfMemoryError} included, is recorded
 * as a failed attempt, never lost. If the database is unreachable, the dispatcher backs off up
 * to the poll interval, the notifier reconnects with back-off, and the completer keeps the
 * outcomes it cannot write and writes them once the database answers (it gives up only when a
 * stop times out, leaving the rows {@code RUNNING} for recovery); each logs the outage once,
 * not per try, and waits between tries as {@code internal.backoff.Backoff} says, doubling from
 * a first wait up to a ceiling. Only a failure for want of a database ({@code ConnectionLoss})
 * is tried again; an outcome the database refuses is recorded as a failure saying so. No loop
 * thread dies of an exception or an {@code Error}: a node that heartbeats but no longer claims
 * stalls silently, and one that runs tasks but no longer heartbeats has them run twice.</li>
 * <li><b>Events.</b> With events on, the statement that ends a task also writes its event to
 * the outbox and notifies {@code outbox}; the notifier passes that on to the node's
 * {@code OutboxRelay} (package {@code dev.autotask.internal.outbox}), which runs while the engine runs
 * and stops last, after the running tasks ended.</li>
 * </ul>
 */
@NullMarked
package dev.autotask.internal.engine;

import org.jspecify.annotations.NullMarked;
