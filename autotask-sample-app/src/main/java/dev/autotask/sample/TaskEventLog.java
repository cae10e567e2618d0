package dev.autotask.sample;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import dev.autotask.Autotask;
import dev.autotask.boot.events.TaskEndedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Listens to task events, as any bean of an application can, and keeps the last few of the
 * tasks the shop's open endpoints may show (see {@link SampleController}).
 */
@Component
class TaskEventLog {

	private static final Logger logger = LoggerFactory.getLogger(TaskEventLog.class);

	private final Deque<String> last = new ArrayDeque<>();

	private final Autotask autotask;

	TaskEventLog(Autotask autotask) {
		this.autotask = autotask;
	}

	@EventListener
	void on(TaskEndedEvent event) {
		logger.info("Task event: {}", event);
		// Tasks started with a login (through autotask's admin page or API) stay behind it.
		boolean shown = this.autotask.status(event.getTaskId(), this.autotask.defaultOwner())
			.map(SampleController::shown)
			.orElse(false);
		if (!shown) {
			return;
		}
		synchronized (this.last) {
			this.last.addFirst(event.getTaskId() + " " + event.getTaskName() + " " + event.getTaskEvent().outcome());
			while (this.last.size() > 20) {
				this.last.removeLast();
			}
		}
	}

	List<String> last() {
		synchronized (this.last) {
			return new ArrayList<>(this.last);
		}
	}

}
