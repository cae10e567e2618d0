package dev.autotask.sample;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.autotask.Autotask;
import dev.autotask.QueueInfo;
import dev.autotask.SendOptions;
import dev.autotask.TaskStatus;
import dev.autotask.ScheduleInfo;
import dev.autotask.TaskHandle;
import dev.autotask.TaskInfo;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A small HTTP front for the sample's tasks: start one, then follow it by id.
 *
 * <pre>
 * curl -X POST 'localhost:8080/reports/42?rows=1000'
 * curl localhost:8080/tasks/1
 * </pre>
 */
@RestController
class SampleController {

	private final ReportTasks tasks;

	private final CatalogTasks catalog;

	private final Autotask autotask;

	private final TaskEventLog events;

	SampleController(ReportTasks tasks, CatalogTasks catalog, Autotask autotask, TaskEventLog events) {
		this.tasks = tasks;
		this.catalog = catalog;
		this.autotask = autotask;
		this.events = events;
	}

	@PostMapping("/reports/{customerId}")
	Map<String, Object> rebuild(@PathVariable long customerId, @RequestParam(defaultValue = "100") int rows) {
		return started(this.tasks.rebuild(customerId, rows));
	}

	@PostMapping("/invoices/{customerId}")
	Map<String, Object> invoice(@PathVariable long customerId) {
		return started(this.tasks.invoice(customerId));
	}

	@PostMapping("/partner-sync")
	Map<String, Object> syncPartner(@RequestParam(defaultValue = "0.5") double failureRate) {
		return started(this.tasks.syncPartner(failureRate));
	}

	@PostMapping("/tasks/{id}/cancel")
	ResponseEntity<TaskStatus> cancel(@PathVariable long id) {
		return ResponseEntity.of(this.autotask.cancel(id, this.autotask.defaultOwner()));
	}

	@PostMapping("/customers/{customerId}/sync")
	Map<String, Object> syncCustomer(@PathVariable long customerId) {
		// One sync per customer at a time: a second request while one is pending gets the same task.
		return started(this.autotask.send("reportTasks.syncCustomer",
				SendOptions.owner(this.autotask.defaultOwner()).uniqueKey("customer-" + customerId), customerId));
	}

	@PostMapping("/primes")
	Map<String, Object> countPrimes(@RequestParam(defaultValue = "1000000") long below) throws Exception {
		return started(this.catalog.countPrimes(below, null));
	}

	@PostMapping("/feed-import")
	Map<String, Object> importFeed(@RequestParam(defaultValue = "5") int pages) {
		return started(this.catalog.importFeed(1, pages, null));
	}

	@GetMapping("/tasks/{id}/chain")
	List<TaskInfo> chain(@PathVariable long id) {
		return this.autotask.chain(id, this.autotask.defaultOwner());
	}

	@GetMapping("/events")
	List<String> events() {
		return this.events.last();
	}

	@GetMapping("/queues")
	List<QueueInfo> queues() {
		return this.autotask.queues(this.autotask.defaultOwner());
	}

	@GetMapping("/schedules")
	List<ScheduleInfo> schedules() {
		return this.autotask.schedules();
	}

	@GetMapping("/tasks/{id}")
	ResponseEntity<TaskInfo> status(@PathVariable long id) {
		return ResponseEntity.of(this.autotask.status(id, this.autotask.defaultOwner()));
	}

	private static Map<String, Object> started(TaskHandle<?> handle) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("id", handle.id());
		body.put("status", handle.status());
		body.put("statusUrl", "/tasks/" + handle.id());
		return body;
	}

}
