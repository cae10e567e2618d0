package dev.autotask.boot.web;

import java.security.Principal;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;

/**
 * Who a request to the REST API comes from: the owner it acts for, and the user who sent it.
 *
 * @param owner the owner whose tasks it may start and read
 * @param user the authenticated user's name, or {@code null} where no Spring Security
 * protects the API
 */
record Caller(String owner, @Nullable String user) {

	static Caller of(HttpServletRequest request, OwnerResolver owners) {
		String owner = owners.ownerOf(request);
		if (owner == null || owner.isBlank()) {
			throw new ApiProblem(HttpStatus.FORBIDDEN, "This request acts for no task owner");
		}
		Principal principal = request.getUserPrincipal();
		return new Caller(owner, (principal != null) ? principal.getName() : null);
	}

}
