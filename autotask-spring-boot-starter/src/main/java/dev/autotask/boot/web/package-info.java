/**
 * The admin page and REST API under {@code autotask.ui.path}: start a registered task by name
 * with JSON arguments, follow it, list a task's history, cancel and run again, and see and
 * pause queues and nodes. Errors are RFC 9457 problem details. Protected by the application's
 * Spring Security where it has it; off without it unless {@code autotask.ui.enabled=true}.
 */
@NullMarked
package dev.autotask.boot.web;

import org.jspecify.annotations.NullMarked;
