/**
 * When recurring tasks fire: {@link dev.autotask.schedule.Schedule} with its two
 * implementations, {@link dev.autotask.schedule.Cron} for five-field Vixie cron
 * expressions evaluated against the wall clock of a time zone, and
 * {@link dev.autotask.schedule.Every} for a fixed period between runs. The code
 * here is pure time arithmetic on {@code java.time}: it knows nothing about the
 * database or the workers that act on the instants it computes.
 */
@NullMarked
package dev.autotask.schedule;

import org.jspecify.annotations.NullMarked;
