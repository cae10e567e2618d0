package dev.autotask.boot.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * Turns the REST API's refusals and failures into problem details, for autotask's own
 * controllers only: the application's error handling is left as it is.
 */
@RestControllerAdvice(
		assignableTypes = { TaskApiController.class, ClusterApiController.class, ScheduleApiController.class,
				GroupApiController.class })
class ApiExceptionHandler {

	private static final Logger logger = LoggerFactory.getLogger(ApiExceptionHandler.class);

	@ExceptionHandler
	ResponseEntity<ProblemDetail> problem(ApiProblem problem) {
		return ResponseEntity.status(problem.status())
			.body(ProblemDetail.forStatusAndDetail(problem.status(), problem.getMessage()));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> badId(MethodArgumentTypeMismatchException ex) {
		String what = switch (ex.getName()) {
			case "id" -> "A task id";
			case "group" -> "A group id";
			default -> "Parameter '" + ex.getName() + "'";
		};
		return problem(new ApiProblem(HttpStatus.BAD_REQUEST, what + " is a whole number"));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> databaseFailure(DataAccessException ex) {
		// The exception names tables and SQL: it goes to the log, not to the caller.
		logger.error("autotask REST API request failed", ex);
		return problem(new ApiProblem(HttpStatus.INTERNAL_SERVER_ERROR,
				"The task could not be read or stored; the server log says why"));
	}

}
