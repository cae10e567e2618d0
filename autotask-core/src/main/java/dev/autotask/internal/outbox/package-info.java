/**
 * The relay that publishes task events from the outbox. Internal; not API; may change in any
 * release.
 *
 * <h2>Design</h2>
 * <ul>
 * <li><b>Writing.</b> With events on, the statement that ends a task also inserts its event
 * into {@code autotask_outbox} and notifies {@code outbox} on the engine's channel. The event
 * exists if and only if the end committed.</li>
 * <li><b>Relaying.</b> Each node with an engine and at least one sink runs an
 * {@code OutboxRelay}. In a transaction of its own it claims the oldest rows with
 * {@code FOR UPDATE SKIP LOCKED}, hands them to each sink in order, deletes them and commits. A
 * row is deleted only once every sink took it, and only when that deletion commits.</li>
 * <li><b>Invariants.</b> Nodes never wait on each other and never publish the same row at the
 * same time: a row locked by one relay is skipped by the others. Within a batch, events go
 * out in id order.</li>
 * <li><b>Failures.</b> A sink that throws leaves the batch in place with its {@code attempts}
 * counted; the relay backs off, doubling up to a ceiling, without being woken by
 * notifications, and logs the outage once at its start and once at its end. On its next try it
 * offers the batch only to the sinks that have not taken it yet. A database that cannot be
 * reached is treated the same way.</li>
 * <li><b>Guarantees.</b> No event is lost: it leaves the outbox only after every sink
 * succeeded. Delivery is at least once: if a node stops between a sink's success and the
 * commit of the deletion, or while a sink is failing part-way through a batch and another
 * node takes the batch over, an event can be published again, with the same id.</li>
 * </ul>
 */
@NullMarked
package dev.autotask.internal.outbox;

import org.jspecify.annotations.NullMarked;
