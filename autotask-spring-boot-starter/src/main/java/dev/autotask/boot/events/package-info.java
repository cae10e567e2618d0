/**
 * Task events as Spring application events: {@link dev.autotask.boot.events.TaskSucceededEvent},
 * {@link dev.autotask.boot.events.TaskFailedEvent} and
 * {@link dev.autotask.boot.events.TaskCancelledEvent}, all
 * {@link dev.autotask.boot.events.TaskEndedEvent}s, published after a task's end committed.
 */
@NullMarked
package dev.autotask.boot.events;

import org.jspecify.annotations.NullMarked;
