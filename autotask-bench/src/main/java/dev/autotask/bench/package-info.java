/**
 * A benchmark of autotask against db-scheduler, JobRunr and plain SQL on one PostgreSQL server:
 * drain rate, enqueue rate, enqueue-to-start latency and heap. A {@code main}, not a test: the
 * build never runs it. Each library works in a schema of its own, dropped at the end.
 */
@NullMarked
package dev.autotask.bench;

import org.jspecify.annotations.NullMarked;
