/**
 * Maintenance services that keep the task table healthy. Each has {@code runOnce()}, so that
 * tests drive them step by step instead of waiting on timers. Internal; not API; may change in
 * any release.
 *
 * <h2>Design</h2>
 *
 * <p>
 * <b>States.</b> A node is alive while its row in {@code autotask_node} has not expired: each
 * heartbeat (every {@code H}, the worker-monitor interval) sets it to expire {@code 2H} later,
 * on the database clock. A node leads while it holds the lease in {@code autotask_leader}
 * (also on the database clock); it renews it every third of the lease. A task {@code RUNNING}
 * on a node that is not alive, or that a node claimed before it registered again under the
 * same id, is an orphan.
 *
 * <p>
 * <b>Who does what.</b> Each node runs a {@code Supervisor}: its {@code Heartbeater} keeps the
 * node's row alive and notes the node's own trouble with the database, its {@code LeaderElector}
 * holds or seeks the lease, its {@code RescuePacer} decides when its {@code OrphanRescuer} looks,
 * and a {@code Repeater} keeps each of these jobs going on the supervisor's threads (heartbeat and
 * election on one, rescues on another, maintenance on a third). The leader fires schedules
 * ({@code ScheduleFirer}), prunes ({@code ResultPruner}, a slice at a time and resting between
 * slices as long as each took, {@code PrunePacer}) and samples the queues' depth every
 * minute ({@code QueueSampler}); every node adds the tasks it ended, counted in memory
 * ({@code OutcomeCounts}), to the queues' minutes with each heartbeat ({@code CountFlusher}). Rescuing orphans is every
 * node's job, not the leader's, so that an orphan never waits for a failover: each node looks
 * when the next of the other nodes would expire (read on the database clock, so the look is
 * never a tick late) and at least every {@code H}; it reads the task table only when a node
 * expired or registered lately, after trouble, or once a clean interval (a rescue reads the
 * whole table). Rescues are taken one at a time, under an
 * advisory lock taken before the rescue's statements, so that two rescuers never judge one task
 * by different snapshots. A node that does not lead tries to take the lead when the lease it saw
 * lapses, not at its next third of a lease.
 *
 * <p>
 * <b>Bounds, with the defaults (H = 5 s, lease 15 s).</b> A node killed right after a heartbeat
 * expires {@code 2H} later; the surviving nodes rescue its tasks at that moment and notify the
 * idle ones, which claim them at once: every orphan runs again within {@code 2H} plus about a
 * second of its node's death, whatever else dies meanwhile. A node that starts under the id of a
 * killed process hands that process's tasks back itself, before it claims anything. A leader
 * killed right after a renewal is followed as soon as its lease lapses: within one lease of that
 * renewal.
 *
 * <p>
 * <b>Invariants.</b> A task is rescued only while the rescuer's own heartbeat is fresh (checked
 * in the statement, on the database clock), and not within {@code 2H} of the rescuer's own
 * trouble with the database: a heartbeat that failed, or one that came more than {@code 1.5H}
 * after the one before (it waited for a connection). After an outage, every node looks dead
 * until its next heartbeat; that wait lets the live ones heartbeat first, so a node that lost
 * the database for a while is never declared dead for it. A leader that cannot renew steps down
 * at once; two leaders for a moment are harmless, since every fire is guarded by a unique key.
 *
 * <p>
 * <b>Failures.</b> A node killed: its tasks are rescued at its expiry; its lead lapses with its
 * lease. A node restarted under its old id: its earlier tasks are handed back when it registers.
 * The database away: nothing is rescued during the outage, nor for {@code 2H} after each
 * node's first heartbeat once it is back; leaders step down and one leads again once the
 * database answers. A stray (a claim whose answer was lost): handed back by its own node every
 * clean interval.
 */
@NullMarked
package dev.autotask.internal.supervisor;

import org.jspecify.annotations.NullMarked;
