package dev.autotask.boot.web;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers the errors under the REST API's path that no controller of autotask answers as
 * problem details too: a path or method the API does not have (404, 405), a caller who is not
 * logged in (401), an exception that escapes. Spring MVC and Spring Security report those
 * with {@code sendError}, which hands the request to the container's error page, and that
 * answers HTML, or Boot's own JSON, as the application's error handling says. Here
 * {@code sendError} writes the problem detail at once, so no error dispatch happens. Errors
 * the container raises before any filter runs (a malformed request line) stay the container's.
 */
final class ApiProblemFilter extends OncePerRequestFilter {

	private static final Logger logger = LoggerFactory.getLogger(ApiProblemFilter.class);

	private final TaskApiJson json = new TaskApiJson();

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		ProblemResponse problems = new ProblemResponse(request, response);
		try {
			chain.doFilter(request, problems);
		}
		catch (ServletException | RuntimeException ex) {
			if (response.isCommitted()) {
				throw ex;
			}
			// The exception may name classes and SQL: it goes to the log, not to the caller.
			logger.error("autotask REST API request {} {} failed", request.getMethod(), request.getRequestURI(), ex);
			problems.sendError(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
		}
	}

	private String problem(HttpServletRequest request, int status) {
		HttpStatus known = HttpStatus.resolve(status);
		String title = (known != null) ? known.getReasonPhrase() : "Error";
		return this.json.problem(status, title, detail(request, status), request.getRequestURI());
	}

	/**
	 * A fixed detail per status: the message given to {@code sendError} is not shown, as it
	 * may say more than the caller should know.
	 */
	private static @Nullable String detail(HttpServletRequest request, int status) {
		return switch (status) {
			case HttpServletResponse.SC_UNAUTHORIZED -> "Log in first: with HTTP Basic, or on the admin page";
			case HttpServletResponse.SC_NOT_FOUND -> "The REST API has nothing at this path";
			case HttpServletResponse.SC_METHOD_NOT_ALLOWED ->
				"This path does not take " + ApiProblem.abbreviate(request.getMethod(), 20) + "; the Allow header "
						+ "lists the methods it takes";
			case HttpServletResponse.SC_NOT_ACCEPTABLE -> "The REST API answers application/json only";
			case HttpServletResponse.SC_INTERNAL_SERVER_ERROR -> "The request failed; the server log says why";
			default -> null;
		};
	}

	/**
	 * Writes a problem detail where {@code sendError} was called, keeping the headers set
	 * before it ({@code WWW-Authenticate}, {@code Allow}).
	 */
	private final class ProblemResponse extends HttpServletResponseWrapper {

		private final HttpServletRequest request;

		ProblemResponse(HttpServletRequest request, HttpServletResponse response) {
			super(response);
			this.request = request;
		}

		@Override
		public void sendError(int status) throws IOException {
			sendError(status, null);
		}

		@Override
		public void sendError(int status, @Nullable String message) throws IOException {
			if (isCommitted()) {
				// Too late to answer anything else: the container says so, as it would anyway.
				super.sendError(status, message);
				return;
			}
			resetBuffer();
			setStatus(status);
			setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
			setCharacterEncoding(StandardCharsets.UTF_8.name());
			byte[] body = problem(this.request, status).getBytes(StandardCharsets.UTF_8);
			setContentLength(body.length);
			try {
				getOutputStream().write(body);
			}
			catch (IllegalStateException ex) {
				// The writer was taken before the error: write through it instead.
				PrintWriter writer = getWriter();
				writer.write(new String(body, StandardCharsets.UTF_8));
			}
			flushBuffer();
		}

	}

}
