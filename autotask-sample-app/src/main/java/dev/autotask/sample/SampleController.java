package dev.autotask.sample;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.autotask.Autotask;
import dev.autotask.QueueInfo;
import dev.autotask.ScheduleInfo;
import dev.autotask.SendOptions;
import dev.autotask.TaskFailure;
import dev.autotask.TaskHandle;
import dev.autotask.TaskInfo;
import dev.autotask.TaskStatus;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * A small HTTP front for the sample's tasks: start one, then follow it by id.
 *
 * <pre>
 * curl -X POST 'localhost:8080/reports/42?rows=1000'
 * curl localhost:8080/tasks/1
 * </pre>
 *
 * Its endpoints are open to anyone, as a demonstration's are, so each is made harmless: every
 * argument is checked and bounded before a task starts (a 400 problem names the one that is
 * not), the tasks they start are short or stop when cancelled, and they show and cancel only
 * tasks that nobody logged in started: never those started through autotask's admin page or
 * REST API, which need a login.
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
		ReportTasks.checkCustomer(customerId);
		ReportTasks.checkRows(rows);
		return started(this.tasks.rebuild(customerId, rows, null));
	}

	@PostMapping("/invoices/{customerId}")
	Map<String, Object> invoice(@PathVariable long customerId) {
		ReportTasks.checkCustomer(customerId);
		return started(this.tasks.invoice(customerId));
	}

	@PostMapping("/partner-sync")
	Map<String, Object> syncPartner(@RequestParam(defaultValue = "0.5") double failureRate) {
		ReportTasks.checkFailureRate(failureRate);
		return started(this.tasks.syncPartner(failureRate));
	}

	@PostMapping("/customers/{customerId}/sync")
	Map<String, Object> syncCustomer(@PathVariable long customerId) {
		ReportTasks.checkCustomer(customerId);
		// One sync per customer at a time: a second request while one is pending gets the same task.
		return started(this.autotask.send("reportTasks.syncCustomer",
				SendOptions.owner(this.autotask.defaultOwner()).uniqueKey("customer-" + customerId), customerId));
	}

	@PostMapping("/primes")
	Map<String, Object> countPrimes(@RequestParam(defaultValue = "1000000") long below) throws Exception {
		CatalogTasks.checkBelow(below);
		return started(this.catalog.countPrimes(below, null));
	}

	@PostMapping("/feed-import")
	Map<String, Object> importFeed(@RequestParam(defaultValue = "5") int pages) {
		CatalogTasks.checkPages(pages);
		return started(this.catalog.importFeed(1, pages, null));
	}

	@PostMapping("/tasks/{id}/cancel")
	ResponseEntity<TaskStatus> cancel(@PathVariable long id) {
		return ResponseEntity.of(find(id).flatMap((task) -> this.autotask.cancel(id, this.autotask.defaultOwner())));
	}

	@GetMapping("/tasks/{id}")
	ResponseEntity<TaskInfo> status(@PathVariable long id) {
		return ResponseEntity.of(find(id));
	}

	@GetMapping("/tasks/{id}/chain")
	List<TaskInfo> chain(@PathVariable long id) {
		checkId(id);
		return this.autotask.chain(id, this.autotask.defaultOwner()).stream().filter(SampleController::shown).toList();
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

	@ExceptionHandler({ TaskFailure.class, IllegalArgumentException.class })
	ProblemDetail refused(RuntimeException ex) {
		// The messages are the sample's own checks': they name the argument and the value.
		return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
	}

	@ExceptionHandler
	ProblemDetail notANumber(MethodArgumentTypeMismatchException ex) {
		String type = (ex.getRequiredType() != null) ? ex.getRequiredType().getSimpleName() : "number";
		return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
				ex.getName() + " must be a number of type " + type + ", got '" + ex.getValue() + "'");
	}

	private Optional<TaskInfo> find(long id) {
		checkId(id);
		return this.autotask.status(id, this.autotask.defaultOwner()).filter(SampleController::shown);
	}

	/**
	 * Whether the shop's open endpoints show a task: only if nobody logged in started it.
	 * autotask's admin page and REST API record who started a task, and their tasks stay
	 * behind their login.
	 */
	static boolean shown(TaskInfo task) {
		return task.startedBy() == null;
	}

	private static void checkId(long id) {
		if (id < 1) {
			throw new IllegalArgumentException("A task id is positive, got " + id);
		}
	}

	private static Map<String, Object> started(TaskHandle<?> handle) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("id", handle.id());
		body.put("status", handle.status());
		body.put("statusUrl", "/tasks/" + handle.id());
		return body;
	}

}
