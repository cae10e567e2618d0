package dev.autotask.boot.web;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.autotask.Autotask;
import dev.autotask.ScheduleInfo;
import dev.autotask.jdbc.LeaderTable;
import dev.autotask.jdbc.NodeTable;
import dev.autotask.task.TaskRegistry;
import dev.autotask.task.TaskSchedule;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The REST API's view of the cluster: {@code GET /task-types} lists the registered tasks with
 * their kind and schedule, {@code GET /queues} the queues with their counts by status,
 * {@code POST /queues/{name}/pause} and {@code /resume} pause and resume one on every node,
 * {@code GET /nodes} the nodes alive and the leader, and {@code GET /caller} what the caller
 * may do.
 */
@RestController
@RequestMapping("${autotask.ui.path:/autotask}/api")
class ClusterApiController {

	private final Autotask autotask;

	private final TaskRegistry registry;

	private final LeaderTable leaders;

	private final NodeTable nodes;

	private final OwnerResolver owners;

	private final ApiSettings settings;

	private final TaskApiJson json = new TaskApiJson();

	ClusterApiController(Autotask autotask, TaskRegistry registry, LeaderTable leaders, NodeTable nodes,
			OwnerResolver owners, ApiSettings settings) {
		this.autotask = autotask;
		this.registry = registry;
		this.leaders = leaders;
		this.nodes = nodes;
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
	ResponseEntity<String> queues() {
		return json(this.json.queues(this.autotask.queues()));
	}

	@PostMapping("/queues/{name}/pause")
	ResponseEntity<String> pause(@PathVariable String name) {
		setPaused(name, true);
		return queues();
	}

	@PostMapping("/queues/{name}/resume")
	ResponseEntity<String> resume(@PathVariable String name) {
		setPaused(name, false);
		return queues();
	}

	private void setPaused(String name, boolean paused) {
		try {
			if (paused) {
				this.autotask.pause(name);
			}
			else {
				this.autotask.resume(name);
			}
		}
		catch (IllegalArgumentException ex) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST, String.valueOf(ex.getMessage()));
		}
	}

	@GetMapping("/nodes")
	ResponseEntity<String> nodes() {
		return json(this.json.nodes(this.nodes.findAlive(), this.leaders.findLeader()));
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
