package dev.autotask.boot.web;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.autotask.Autotask;
import dev.autotask.BulkResult;
import dev.autotask.SendOptions;
import dev.autotask.TaskHandle;
import dev.autotask.TaskInfo;
import dev.autotask.TaskQuery;
import dev.autotask.TaskStatus;
import dev.autotask.task.TaskRegistry;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The REST API's tasks: {@code POST /tasks} starts a registered task by name,
 * {@code GET /tasks/{id}} reads one, {@code GET /tasks?name=} lists the last runs of a task,
 * {@code POST /tasks/{id}/cancel} cancels one and {@code POST /tasks/{id}/run-again} starts it
 * again with the same arguments. For operators: {@code GET /tasks/search} finds tasks across all
 * names with counts by status (capped), {@code GET /tasks/count} counts every match (before a
 * bulk action), {@code POST /tasks/{id}/retry} and {@code /run-now} act on one,
 * {@code DELETE /tasks/{id}} deletes one, and {@code POST /tasks/bulk} acts on every task a search
 * matches. Every refusal is a problem detail and changes nothing.
 *
 * <p>
 * An unknown task name is a 400, like any other flaw in the request: the resource
 * {@code /tasks} exists, what is wrong is the request. A 404 is kept for a task id that is
 * unknown <em>or</em> belongs to another owner, which look the same.
 */
@RestController
@RequestMapping("${autotask.ui.path:/autotask}/api")
class TaskApiController {

	private final Autotask client;

	private final TaskRegistry registry;

	private final OwnerResolver owners;

	private final ApiSettings settings;

	private final TaskApiJson json = new TaskApiJson();

	TaskApiController(Autotask client, TaskRegistry registry, OwnerResolver owners, ApiSettings settings) {
		this.client = client;
		this.registry = registry;
		this.owners = owners;
		this.settings = settings;
	}

	@PostMapping("/tasks")
	ResponseEntity<String> start(HttpServletRequest request) throws IOException {
		checkJson(request.getContentType());
		TaskApiJson.StartRequest start = this.json.readStart(readBody(request));
		checkRegistered(start.name());
		Caller caller = Caller.of(request, this.owners);
		return started(start.name(), options(caller, start.startAs()), start.args(), request);
	}

	@GetMapping("/tasks/{id}")
	ResponseEntity<String> status(@PathVariable long id, HttpServletRequest request) {
		return json(this.json.task(find(id, Caller.of(request, this.owners))));
	}

	@GetMapping("/tasks")
	ResponseEntity<String> history(@RequestParam(required = false) @Nullable String name,
			@RequestParam(required = false) @Nullable Integer limit, HttpServletRequest request) {
		if (name == null || name.isBlank()) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST,
					"Query parameter 'name' is required: the tasks listed are the last runs of one task");
		}
		checkRegistered(name);
		int count = (limit != null) ? limit : this.settings.historyPerTask();
		try {
			return json(this.json.tasks(this.client.history(name, Caller.of(request, this.owners).owner(), count)));
		}
		catch (IllegalArgumentException ex) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST, describe(ex, name));
		}
	}

	@PostMapping("/tasks/{id}/cancel")
	ResponseEntity<String> cancel(@PathVariable long id, HttpServletRequest request) {
		return this.client.cancel(id, Caller.of(request, this.owners).owner())
			.map((status) -> json(this.json.taskStatus(id, status)))
			.orElseThrow(() -> notFound(id));
	}

	@GetMapping("/tasks/search")
	ResponseEntity<String> search(HttpServletRequest request) {
		TaskQuery query = TaskQueryReader.read(parameters(request));
		try {
			return json(this.json.page(this.client.find(query, Caller.of(request, this.owners).owner())));
		}
		catch (IllegalArgumentException ex) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST, "Bad search: " + ex.getMessage());
		}
	}

	@GetMapping("/tasks/count")
	ResponseEntity<String> count(HttpServletRequest request) {
		TaskQuery query = TaskQueryReader.read(parameters(request));
		try {
			return json(this.json.counts(this.client.count(query, Caller.of(request, this.owners).owner())));
		}
		catch (IllegalArgumentException ex) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST, "Bad search: " + ex.getMessage());
		}
	}

	@PostMapping("/tasks/{id}/retry")
	ResponseEntity<String> retry(@PathVariable long id, HttpServletRequest request) {
		return this.client.retry(id, Caller.of(request, this.owners).owner())
			.map((status) -> json(this.json.taskStatus(id, status)))
			.orElseThrow(() -> notFound(id));
	}

	@PostMapping("/tasks/{id}/run-now")
	ResponseEntity<String> runNow(@PathVariable long id, HttpServletRequest request) {
		return this.client.runNow(id, Caller.of(request, this.owners).owner())
			.map((status) -> json(this.json.taskStatus(id, status)))
			.orElseThrow(() -> notFound(id));
	}

	@DeleteMapping("/tasks/{id}")
	ResponseEntity<String> delete(@PathVariable long id, HttpServletRequest request) {
		TaskStatus status = this.client.delete(id, Caller.of(request, this.owners).owner())
			.orElseThrow(() -> notFound(id));
		if (status == TaskStatus.RUNNING) {
			throw new ApiProblem(HttpStatus.CONFLICT, "Task " + id + " is running: cancel it before deleting it");
		}
		return ResponseEntity.noContent().build();
	}

	@PostMapping("/tasks/bulk")
	ResponseEntity<String> bulk(HttpServletRequest request) throws IOException {
		checkJson(request.getContentType());
		TaskApiJson.BulkRequest bulk = this.json.readBulk(readBody(request));
		TaskQuery query = TaskQueryReader.read(bulk.query());
		try {
			BulkResult result = this.client.bulk(bulk.action(), query, Caller.of(request, this.owners).owner());
			return json(this.json.bulkDone(bulk.action(), result));
		}
		catch (IllegalArgumentException ex) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST, "Bad query: " + ex.getMessage());
		}
	}

	@PostMapping("/tasks/{id}/run-again")
	ResponseEntity<String> runAgain(@PathVariable long id, HttpServletRequest request) {
		Caller caller = Caller.of(request, this.owners);
		TaskInfo task = find(id, caller);
		if (this.registry.find(task.name()).isEmpty()) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST, "Task " + id + " cannot run again: no task is named '"
					+ ApiProblem.abbreviate(task.name(), ApiProblem.MAX_QUOTE) + "' any more");
		}
		// Run again as the caller: whoever starts it now answers for it.
		return started(task.name(), options(caller, null), task.args(), request);
	}

	private ResponseEntity<String> started(String name, SendOptions options, String args,
			HttpServletRequest request) {
		TaskHandle<Object> handle;
		try {
			handle = this.client.sendJson(name, options, args);
		}
		catch (IllegalArgumentException ex) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST, describe(ex, name));
		}
		// A path, not an absolute URL: the Host header is the caller's to choose.
		String statusUrl = ServletUriComponentsBuilder.fromServletMapping(request)
			.path(this.settings.apiPath() + "/tasks/{id}")
			.buildAndExpand(handle.id())
			.getPath();
		return ResponseEntity.accepted()
			.location(URI.create(statusUrl))
			.contentType(MediaType.APPLICATION_JSON)
			.body(this.json.started(handle.id(), handle.status(), statusUrl));
	}

	private SendOptions options(Caller caller, @Nullable String startAs) {
		SendOptions options = SendOptions.owner(caller.owner());
		if (startAs != null) {
			if (!this.settings.serviceUsers().contains(startAs)) {
				throw new ApiProblem(HttpStatus.BAD_REQUEST,
						"No service user is named '" + ApiProblem.abbreviate(startAs, ApiProblem.MAX_QUOTE)
								+ "'; autotask.ui.service-users lists those a task may be started as");
			}
			return options.startedBy(startAs);
		}
		return (caller.user() != null) ? options.startedBy(ApiProblem.abbreviate(caller.user(), 199)) : options;
	}

	private TaskInfo find(long id, Caller caller) {
		return this.client.status(id, caller.owner()).orElseThrow(() -> notFound(id));
	}

	private static ApiProblem notFound(long id) {
		return new ApiProblem(HttpStatus.NOT_FOUND, "No task " + id + " was found");
	}

	private void checkRegistered(String name) {
		if (this.registry.find(name).isEmpty()) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST,
					"No task is named '" + ApiProblem.abbreviate(name, ApiProblem.MAX_QUOTE)
							+ "'; GET task-types lists the registered tasks");
		}
	}

	private static Map<String, List<String>> parameters(HttpServletRequest request) {
		Map<String, List<String>> parameters = new LinkedHashMap<>();
		request.getParameterMap().forEach((name, values) -> parameters.put(name, List.of(values)));
		return parameters;
	}

	private static ResponseEntity<String> json(String body) {
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
	}

	/**
	 * Require a JSON body. Besides saying what the API reads, this keeps a browser from
	 * posting here from another site without a CORS preflight (a form or text/plain post
	 * needs none), which matters most where the API runs without Spring Security.
	 */
	static void checkJson(@Nullable String contentType) {
		try {
			if (contentType != null
					&& MediaType.APPLICATION_JSON.isCompatibleWith(MediaType.parseMediaType(contentType))) {
				return;
			}
		}
		catch (InvalidMediaTypeException ex) {
			// Refused below like any other type.
		}
		throw new ApiProblem(HttpStatus.UNSUPPORTED_MEDIA_TYPE,
				"The request body must be JSON (Content-Type: application/json)");
	}

	/**
	 * Read the body, refusing it once it passes the limit, without reading more than that.
	 */
	private byte[] readBody(HttpServletRequest request) throws IOException {
		long max = this.settings.maxBodySize();
		if (request.getContentLengthLong() > max) {
			throw tooLarge();
		}
		try (InputStream in = request.getInputStream()) {
			byte[] body = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE));
			if (body.length > max) {
				throw tooLarge();
			}
			return body;
		}
	}

	private ApiProblem tooLarge() {
		return new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, "The request body is larger than "
				+ this.settings.maxBodySize() + " bytes (autotask.ui.max-body-size)");
	}

	/**
	 * The client's messages name the task and the parameter and were written to be shown;
	 * only the packages of the parameter types are left out. The task name, which may hold
	 * dots, is kept as it is.
	 */
	private static String describe(IllegalArgumentException ex, String taskName) {
		String quoted = "'" + taskName + "'";
		return Arrays.stream(String.valueOf(ex.getMessage()).split(Pattern.quote(quoted), -1))
			.map(ApiProblem::simpleTypeNames)
			.collect(Collectors.joining(quoted));
	}

}
