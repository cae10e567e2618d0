/**
 * The SQL of the engine, one class per table, each statement a named constant. Time is always
 * the database's {@code now()}, never a node's clock, so that nodes with drifting clocks agree.
 * Internal; not API; may change in any release.
 */
@NullMarked
package dev.autotask.internal.jdbc;

import org.jspecify.annotations.NullMarked;
