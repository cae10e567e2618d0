package dev.autotask.boot.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.csrf.CsrfException;

/**
 * Answers a refused request under the path with a 403 problem detail, written here rather
 * than through {@code sendError}. The error dispatch that {@code sendError} makes is judged by
 * the application's own chain, which turns the 403 of a request refused before it was
 * authenticated (a missing CSRF token) into a 401.
 */
final class ForbiddenHandler implements AccessDeniedHandler {

	private static final String CSRF = problem(
			"Missing or wrong CSRF token: send the value of the XSRF-TOKEN cookie in the X-XSRF-TOKEN header");

	private static final String ROLE = problem("This user lacks the role for this request");

	@Override
	public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException ex)
			throws IOException {
		if (response.isCommitted()) {
			return;
		}
		response.setStatus(HttpServletResponse.SC_FORBIDDEN);
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		response.setCharacterEncoding(StandardCharsets.UTF_8.name());
		response.getWriter().write((ex instanceof CsrfException) ? CSRF : ROLE);
	}

	private static String problem(String detail) {
		// Fixed texts without quotes or backslashes: no JSON encoder needed.
		return "{\"type\":\"about:blank\",\"title\":\"Forbidden\",\"status\":403,\"detail\":\"" + detail + "\"}";
	}

}
