/**
 * The autotask API: start tasks by name, follow them through a {@link dev.autotask.TaskHandle},
 * and look up their status, the queues, the schedules and the nodes. Everything an application
 * calls lives in this package and in {@code annotation}; an integrator who runs autotask without
 * the Spring Boot starter also uses {@code engine}, {@code task}, {@code schedule} and
 * {@code retry}, and tests use {@code test}. {@code dev.autotask.internal} and its sub-packages
 * are not API: they may change in any release, and a test of the build fails when anything
 * outside autotask's core uses them.
 */
@NullMarked
package dev.autotask;

import org.jspecify.annotations.NullMarked;
