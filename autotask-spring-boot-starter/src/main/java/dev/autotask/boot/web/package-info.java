/**
 * The REST API under {@code autotask.ui.path}: start a registered task by name with JSON
 * arguments, read a task's status, list the registered tasks. Errors are RFC 9457 problem
 * details. Protected by the application's Spring Security where it has it; off without it
 * unless {@code autotask.ui.enabled=true}.
 */
@NullMarked
package dev.autotask.boot.web;

import org.jspecify.annotations.NullMarked;
