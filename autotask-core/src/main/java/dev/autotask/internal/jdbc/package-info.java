/**
 * The SQL of the engine, one class per table, each statement a named constant. Time is always
 * the database's {@code now()}, never a node's clock, so that nodes with drifting clocks agree.
 * The task table's statements are split by the job that runs them: claiming and giving back
 * ({@link dev.autotask.internal.jdbc.TaskClaimTable}), what a running attempt writes
 * ({@link dev.autotask.internal.jdbc.TaskRunTable}), batched outcomes
 * ({@link dev.autotask.internal.jdbc.TaskOutcomeTable}), the API's enqueues, look-ups and
 * cancels ({@link dev.autotask.internal.jdbc.TaskClientTable}), rescues and pruning
 * ({@link dev.autotask.internal.jdbc.TaskMaintenanceTable}) and test drains
 * ({@link dev.autotask.internal.jdbc.TaskTestingTable}). Internal; not API; may change in any
 * release.
 */
@NullMarked
package dev.autotask.internal.jdbc;

import org.jspecify.annotations.NullMarked;
