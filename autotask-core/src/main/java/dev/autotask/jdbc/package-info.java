/**
 * The SQL of the engine, one class per table, each statement a named constant. Time is always
 * the database's {@code now()}, never a node's clock, so that nodes with drifting clocks agree.
 */
@NullMarked
package dev.autotask.jdbc;

import org.jspecify.annotations.NullMarked;
