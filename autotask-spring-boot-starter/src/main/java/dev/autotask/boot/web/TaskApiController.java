package dev.autotask.boot.web;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.autotask.TaskHandle;
import dev.autotask.engine.TaskClient;
import dev.autotask.task.TaskRegistry;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.util.unit.DataSize;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The REST API: {@code POST /tasks} starts a registered task by name, {@code GET /tasks/{id}}
 * reads one, {@code GET /task-types} lists the registered tasks. Every refusal is a problem
 * detail and inserts nothing.
 *
 * <p>
 * An unknown task name is a 400, like any other flaw in the request body: the resource
 * {@code /tasks} exists, what is wrong is the request. A 404 is kept for a task id that is
 * unknown <em>or</em> belongs to another owner, which look the same.
 */
@RestController
@RequestMapping("${autotask.ui.path:/autotask}/api")
class TaskApiController {

	private static final Logger logger = LoggerFactory.getLogger(TaskApiController.class);

	private final TaskClient client;

	private final TaskRegistry registry;

	private final OwnerResolver owners;

	private final String apiPath;

	private final long maxBodySize;

	private final TaskApiJson json = new TaskApiJson();

	TaskApiController(TaskClient client, TaskRegistry registry, OwnerResolver owners, String apiPath,
			DataSize maxBodySize) {
		this.client = client;
		this.registry = registry;
		this.owners = owners;
		this.apiPath = apiPath;
		this.maxBodySize = maxBodySize.toBytes();
	}

	@PostMapping("/tasks")
	ResponseEntity<String> start(HttpServletRequest request) throws IOException {
		checkJson(request.getContentType());
		TaskApiJson.StartRequest start = this.json.readStart(readBody(request));
		if (this.registry.find(start.name()).isEmpty()) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST,
					"No task is named '" + ApiProblem.abbreviate(start.name(), ApiProblem.MAX_QUOTE)
							+ "'; GET task-types lists the registered tasks");
		}
		String owner = ownerOf(request);
		TaskHandle<Object> handle;
		try {
			handle = this.client.sendJson(start.name(), owner, start.args());
		}
		catch (IllegalArgumentException ex) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST, describe(ex, start.name()));
		}
		// A path, not an absolute URL: the Host header is the caller's to choose.
		String statusUrl = ServletUriComponentsBuilder.fromServletMapping(request)
			.path(this.apiPath + "/tasks/{id}")
			.buildAndExpand(handle.id())
			.getPath();
		return ResponseEntity.accepted()
			.location(URI.create(statusUrl))
			.contentType(MediaType.APPLICATION_JSON)
			.body(this.json.started(handle.id(), handle.status(), statusUrl));
	}

	@GetMapping("/tasks/{id}")
	ResponseEntity<String> status(@PathVariable long id, HttpServletRequest request) {
		return this.client.status(id, ownerOf(request))
			.map((info) -> ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(this.json.task(info)))
			.orElseThrow(() -> new ApiProblem(HttpStatus.NOT_FOUND, "No task " + id + " was found"));
	}

	@GetMapping("/task-types")
	ResponseEntity<String> taskTypes() {
		return ResponseEntity.ok()
			.contentType(MediaType.APPLICATION_JSON)
			.body(this.json.taskTypes(this.registry.definitions()));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> problem(ApiProblem problem) {
		return ResponseEntity.status(problem.status())
			.body(ProblemDetail.forStatusAndDetail(problem.status(), problem.getMessage()));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> badId(MethodArgumentTypeMismatchException ex) {
		return problem(new ApiProblem(HttpStatus.BAD_REQUEST, "A task id is a whole number"));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> databaseFailure(DataAccessException ex) {
		// The exception names tables and SQL: it goes to the log, not to the caller.
		logger.error("autotask REST API request failed", ex);
		return problem(new ApiProblem(HttpStatus.INTERNAL_SERVER_ERROR,
				"The task could not be read or stored; the server log says why"));
	}

	/**
	 * Require a JSON body. Besides saying what the API reads, this keeps a browser from
	 * posting here from another site without a CORS preflight (a form or text/plain post
	 * needs none), which matters most where the API runs without Spring Security.
	 */
	private static void checkJson(@Nullable String contentType) {
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
		if (request.getContentLengthLong() > this.maxBodySize) {
			throw tooLarge();
		}
		try (InputStream in = request.getInputStream()) {
			byte[] body = in.readNBytes((int) Math.min(this.maxBodySize + 1, Integer.MAX_VALUE));
			if (body.length > this.maxBodySize) {
				throw tooLarge();
			}
			return body;
		}
	}

	private ApiProblem tooLarge() {
		return new ApiProblem(HttpStatus.CONTENT_TOO_LARGE,
				"The request body is larger than " + this.maxBodySize + " bytes (autotask.ui.max-body-size)");
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

	private String ownerOf(HttpServletRequest request) {
		String owner = this.owners.ownerOf(request);
		if (owner == null || owner.isBlank()) {
			throw new ApiProblem(HttpStatus.FORBIDDEN, "This request acts for no task owner");
		}
		return owner;
	}

}
