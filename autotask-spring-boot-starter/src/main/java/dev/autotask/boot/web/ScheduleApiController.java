package dev.autotask.boot.web;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;

import dev.autotask.Autotask;
import dev.autotask.ScheduleEntry;
import dev.autotask.Schedules;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The REST API's schedules, those created at run time by the caller's owner and those declared
 * in code: {@code GET /schedules} lists both (flagged {@code declared}), {@code GET /schedules/{name}}
 * reads one, {@code POST /schedules} creates one, {@code PUT /schedules/{name}} changes it and
 * {@code DELETE /schedules/{name}} deletes it. Pause, resume and the last fires are under
 * {@code /schedules/{name}/...} in {@link ClusterApiController}. Another owner's schedule is a
 * 404, like a name never used; a declared one cannot be changed or deleted (409).
 */
@RestController
@RequestMapping("${autotask.ui.path:/autotask}/api")
class ScheduleApiController {

	private final Schedules schedules;

	private final OwnerResolver owners;

	private final ApiSettings settings;

	private final ScheduleApiJson json = new ScheduleApiJson();

	ScheduleApiController(Autotask autotask, OwnerResolver owners, ApiSettings settings) {
		this.schedules = autotask.runtimeSchedules();
		this.owners = owners;
		this.settings = settings;
	}

	@GetMapping("/schedules")
	ResponseEntity<String> list(HttpServletRequest request) {
		return json(this.json.schedules(this.schedules.list(Caller.of(request, this.owners).owner())));
	}

	@GetMapping("/schedules/{name}")
	ResponseEntity<String> find(@PathVariable String name, HttpServletRequest request) {
		return json(this.json.schedule(this.schedules.find(name, Caller.of(request, this.owners).owner())
			.orElseThrow(() -> notFound(name))));
	}

	@PostMapping("/schedules")
	ResponseEntity<String> create(HttpServletRequest request) throws IOException {
		TaskApiController.checkJson(request.getContentType());
		ScheduleApiJson.ScheduleRequest create = this.json.read(readBody(request));
		if (create.name() == null || create.name().isBlank()) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST, "Field 'name' is required: the schedule's name, as a string");
		}
		Caller caller = Caller.of(request, this.owners);
		ScheduleEntry created;
		try {
			created = this.schedules.create(create.name(), create.spec(), caller.owner());
		}
		catch (IllegalArgumentException ex) {
			throw refused(ex);
		}
		URI location = ServletUriComponentsBuilder.fromCurrentRequestUri()
			.path("/{name}")
			.buildAndExpand(created.name())
			.toUri();
		return ResponseEntity.created(location)
			.contentType(MediaType.APPLICATION_JSON)
			.body(this.json.schedule(created));
	}

	@PutMapping("/schedules/{name}")
	ResponseEntity<String> update(@PathVariable String name, HttpServletRequest request) throws IOException {
		TaskApiController.checkJson(request.getContentType());
		ScheduleApiJson.ScheduleRequest update = this.json.read(readBody(request));
		if (update.name() != null && !update.name().equals(name)) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST,
					"A schedule is not renamed: leave 'name' out, or give the name in the path");
		}
		Caller caller = Caller.of(request, this.owners);
		checkNotDeclared(name, caller, "changed");
		try {
			return json(this.json.schedule(
					this.schedules.update(name, update.spec(), caller.owner()).orElseThrow(() -> notFound(name))));
		}
		catch (IllegalArgumentException ex) {
			throw refused(ex);
		}
	}

	@DeleteMapping("/schedules/{name}")
	ResponseEntity<Void> delete(@PathVariable String name, HttpServletRequest request) {
		Caller caller = Caller.of(request, this.owners);
		checkNotDeclared(name, caller, "deleted");
		if (!this.schedules.delete(name, caller.owner())) {
			throw notFound(name);
		}
		return ResponseEntity.noContent().build();
	}

	private void checkNotDeclared(String name, Caller caller, String what) {
		if (this.schedules.find(name, caller.owner()).filter(ScheduleEntry::declared).isPresent()) {
			throw new ApiProblem(HttpStatus.CONFLICT, "Schedule '" + ApiProblem.abbreviate(name, ApiProblem.MAX_QUOTE)
					+ "' is declared in code and cannot be " + what + "; it can be paused");
		}
	}

	static ApiProblem notFound(String name) {
		return new ApiProblem(HttpStatus.NOT_FOUND, "No schedule is named '"
				+ ApiProblem.abbreviate(name, ApiProblem.MAX_QUOTE) + "'; GET schedules lists the schedules");
	}

	private static ApiProblem refused(IllegalArgumentException ex) {
		return new ApiProblem(HttpStatus.BAD_REQUEST, ApiProblem.simpleTypeNames(String.valueOf(ex.getMessage())));
	}

	/**
	 * Read the body, refusing it once it passes the limit, without reading more than that.
	 */
	private byte[] readBody(HttpServletRequest request) throws IOException {
		long max = this.settings.maxBodySize();
		if (request.getContentLengthLong() <= max) {
			try (InputStream in = request.getInputStream()) {
				byte[] body = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE));
				if (body.length <= max) {
					return body;
				}
			}
		}
		throw new ApiProblem(HttpStatus.CONTENT_TOO_LARGE,
				"The request body is larger than " + max + " bytes (autotask.ui.max-body-size)");
	}

	private static ResponseEntity<String> json(String body) {
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
	}

}
