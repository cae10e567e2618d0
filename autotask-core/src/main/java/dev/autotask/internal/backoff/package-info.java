/**
 * How long the engine's loops wait between two tries while something they need is away (the
 * database, a sink): an exponential back-off with no jitter, shared by the dispatcher, the
 * completer, the runner, the notifier and the outbox relay. It is its own package so that both
 * {@code internal.engine} and {@code internal.outbox} can use it without a cycle. Internal; not
 * API; may change in any release.
 */
@NullMarked
package dev.autotask.internal.backoff;

import org.jspecify.annotations.NullMarked;
