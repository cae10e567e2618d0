package dev.autotask.boot.web;

import java.util.List;

import dev.autotask.Autotask;
import dev.autotask.GroupInfo;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The REST API's groups of tasks (see {@link Autotask#sendGroup}), read-only:
 * {@code GET /groups} lists the caller's owner's groups newest first, a page at a time
 * ({@code limit}, and {@code before} the {@code next} of the previous page), and
 * {@code GET /groups/{group}} reads one's progress. Another owner's group is a 404, like an id
 * never used. A group's members are found by {@code GET /tasks/search?group=}.
 */
@RestController
@RequestMapping("${autotask.ui.path:/autotask}/api")
class GroupApiController {

	static final int DEFAULT_LIMIT = 20;

	private final Autotask client;

	private final OwnerResolver owners;

	private final GroupApiJson json = new GroupApiJson();

	GroupApiController(Autotask client, OwnerResolver owners) {
		this.client = client;
		this.owners = owners;
	}

	@GetMapping("/groups")
	ResponseEntity<String> list(@RequestParam(required = false) @Nullable Integer limit,
			@RequestParam(required = false) @Nullable Long before, HttpServletRequest request) {
		int size = (limit != null) ? limit : DEFAULT_LIMIT;
		List<GroupInfo> groups;
		try {
			groups = this.client.groups(Caller.of(request, this.owners).owner(), before, size);
		}
		catch (IllegalArgumentException ex) {
			throw new ApiProblem(HttpStatus.BAD_REQUEST, "Bad page of groups: " + ex.getMessage());
		}
		Long next = (groups.size() == size) ? groups.get(groups.size() - 1).group().id() : null;
		return json(this.json.page(groups, next));
	}

	@GetMapping("/groups/{group}")
	ResponseEntity<String> find(@PathVariable long group, HttpServletRequest request) {
		String owner = Caller.of(request, this.owners).owner();
		// The newest group up to this id, the one itself if it is the owner's: the list's keyset
		// read of one row, which brings its time and its callback's status.
		List<GroupInfo> found = (group > 0 && group < Long.MAX_VALUE) ? this.client.groups(owner, group + 1, 1)
				: List.of();
		if (found.isEmpty() || found.get(0).group().id() != group) {
			throw new ApiProblem(HttpStatus.NOT_FOUND, "No group " + group + " was found");
		}
		return json(this.json.group(found.get(0)));
	}

	private static ResponseEntity<String> json(String body) {
		return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
	}

}
