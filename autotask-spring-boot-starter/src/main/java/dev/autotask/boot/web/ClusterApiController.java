package dev.autotask.boot.web;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.autotask.Autotask;
import dev.autotask.ScheduleInfo;
import dev.autotask.Schedules;
import dev.autotask.task.TaskRegistry;
import dev.autotask.task.TaskSchedule;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The REST API's view of the cluster: {@code GET /task-types} lists the registered tasks with
 * their kind and schedule, {@code GET /queues} the queues with the caller's owner's tasks
 * counted by status, {@code POST /queues/{name}/pause} and {@code /resume} pause and resume
 * one in use on every node (an unknown one is a 404), {@code GET /queues/{name}/stats?window=PT1H}
 * the caller's owner's tasks ended in a queue and its depth over the last hour or day, as
 * points for the page's charts, {@code GET /schedules/{task}/fires} a
 * schedule's last fires with their tasks, {@code POST /schedules/{task}/pause} and
 * {@code /resume} pause and resume it on every node (a periodic or cron task, or a schedule of
 * the caller's owner created at run time: see {@link ScheduleApiController}), {@code GET /nodes}
 * the nodes alive and the
 * leader, and {@code GET /caller} what the caller may do.
 */
@RestController
@RequestMapping("${autotask.ui.path:/autotask}/api")
class ClusterApiController {

	private final Autotask autotask;

	private final TaskRegistry registry;

	private final OwnerResolver owners;

	private final ApiSettings settings;

	private final TaskApiJson json = new TaskApiJson();

	private final ScheduleApiJson scheduleJson = new ScheduleApiJson();

	ClusterApiController(Autotask autotask, TaskRegistry registry, OwnerResolver owners, ApiSettings settings) {
		this.autotask = autotask;
		this.registry = registry;
		this.owners = owners;
		this.settings = settings;
	}

	@GetMapping("/task-types")
	ResponseEntity<String> taskTypes() {
		Map<String, TaskSchedule> schedules = this.registry.schedules()
			.stream()
			.collect(Collectors.toMap(TaskSchedule::taskName, Function.identity()));
		Map<String, ScheduleInfo> fires = this.autotask.schedules()
			.stream()
			.collect(Collectors.toMap(ScheduleInfo::task, Function.identity()));
		return json(this.json.taskTypes(this.registry.definitions(), schedules, fires));
	}

	@GetMapping("/queues")
	ResponseEntity<String> queues(HttpServletRequest request) {
		return queues(Caller.of(request, this.owners));
	}

	@PostMapping("/queues/{name}/pause")
	ResponseEntity<String> pause(@PathVariable String name, HttpServletRequest request) {
		Caller caller = Caller.of(request, this.owners);
		setPaused(name, true);
		return queues(caller);
	}

	@PostMapping("/queues/{name}/resume")
	ResponseEntity<String> resume(@PathVariable String name, HttpServletRequest request) {
		Caller caller = Caller.of(request, this.owners);
		setPaused(name, false);
		return queues(caller);
	}

	@GetMapping("/queues/{name}/stats")
	ResponseEntity<String> queueStats(@PathVariable String name, @RequestParam(required = false) @Nullable String window,
			HttpServletRequest request) {
		Caller caller = Caller.of(request, this.owners);
		Duration length = window(window);
		try {
			return json(this.json.queueStats(name, length, this.autotask.queueStats(name, length, caller.owner())));
		}
		catch (IllegalArgumentException ex) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST, String.valueOf(ex.getMessage()));
		}
	}

	// An hour unless told otherwise; P1D, the longest, is read as 24 hours.
	private static Duration window(@Nullable String window) {
		if (window == null || window.isEmpty()) {
			return Duration.ofHours(1);
		}
		try {
			return Duration.parse(window);
		}
		catch (DateTimeParseException ex) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST, "Query parameter 'window' must be an ISO-8601 duration from"
					+ " PT1M to P1D, such as PT1H or P1D, got '" + ApiProblem.abbreviate(window, ApiProblem.MAX_QUOTE) + "'");
		}
	}

	private ResponseEntity<String> queues(Caller caller) {
		return json(this.json.queues(this.autotask.queues(caller.owner())));
	}

	private void setPaused(String name, boolean paused) {
		boolean inUse;
		try {
			inUse = (paused) ? this.autotask.pause(name) : this.autotask.resume(name);
		}
		catch (IllegalArgumentException ex) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST, String.valueOf(ex.getMessage()));
		}
		if (!inUse) {
			throw new ApiProblem(HttpStatus.NOT_FOUND, "No task uses a queue named '"
					+ ApiProblem.abbreviate(name, ApiProblem.MAX_QUOTE) + "'; GET queues lists the queues");
		}
	}

	@GetMapping("/schedules/{task}/fires")
	ResponseEntity<String> fires(@PathVariable String task, @RequestParam(required = false) @Nullable Integer limit,
			HttpServletRequest request) {
		int count = (limit != null) ? limit : this.settings.historyPerTask();
		try {
			if (!isDeclared(task)) {
				String owner = Caller.of(request, this.owners).owner();
				this.autotask.runtimeSchedules().find(task, owner).orElseThrow(() -> notScheduled(task));
				return json(this.json.fires(this.autotask.runtimeSchedules().fires(task, owner, count)));
			}
			return json(this.json.fires(this.autotask.fires(task, count)));
		}
		catch (IllegalArgumentException ex) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST, String.valueOf(ex.getMessage()));
		}
	}

	@PostMapping("/schedules/{task}/pause")
	ResponseEntity<String> pauseSchedule(@PathVariable String task, HttpServletRequest request) {
		if (!isDeclared(task)) {
			return setRuntimePaused(task, true, request);
		}
		this.autotask.pauseSchedule(task);
		return taskTypes();
	}

	@PostMapping("/schedules/{task}/resume")
	ResponseEntity<String> resumeSchedule(@PathVariable String task, HttpServletRequest request) {
		if (!isDeclared(task)) {
			return setRuntimePaused(task, false, request);
		}
		this.autotask.resumeSchedule(task);
		return taskTypes();
	}

	// A schedule created at run time, of the caller's owner: answered with the schedule itself.
	private ResponseEntity<String> setRuntimePaused(String name, boolean paused, HttpServletRequest request) {
		String owner = Caller.of(request, this.owners).owner();
		Schedules schedules = this.autotask.runtimeSchedules();
		if (!(paused ? schedules.pause(name, owner) : schedules.resume(name, owner))) {
			throw notScheduled(name);
		}
		return json(this.scheduleJson.schedule(schedules.find(name, owner).orElseThrow(() -> notScheduled(name))));
	}

	private boolean isDeclared(String task) {
		return this.registry.schedules().stream().anyMatch((schedule) -> schedule.taskName().equals(task));
	}

	private static ApiProblem notScheduled(String task) {
		return new ApiProblem(HttpStatus.NOT_FOUND, "No periodic or cron task is named '"
				+ ApiProblem.abbreviate(task, ApiProblem.MAX_QUOTE)
				+ "', nor a schedule of this owner; GET schedules lists them");
	}

	@GetMapping("/nodes")
	ResponseEntity<String> nodes() {
		return json(this.json.nodes(this.autotask.nodes(), this.autotask.leader().orElse(null)));
	}

	@GetMapping("/caller")
	ResponseEntity<String> caller(HttpServletRequest request) {
		Caller caller = Caller.of(request, this.owners);
		// Without Spring Security there is no user, and the API is open to whoever reaches it.
		boolean canStart = (caller.user() == null) || request.isUserInRole(this.settings.role());
		return json(this.json.caller(caller.user(), canStart, this.settings.serviceUsers(),
				this.settings.historyPerTask()));
	}

	private static ResponseEntity<String> json(String body) {
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
	}

}
