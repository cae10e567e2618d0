package dev.autotask.boot.web;

import java.nio.charset.StandardCharsets;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * The admin page's login form, at {@code autotask.ui.path + /login}, where Spring Security
 * protects the page. It is served under the page's own path so that the page works whatever
 * login the rest of the application has (or has not); Spring Security checks the form's post.
 */
@RestController
@RequestMapping("${autotask.ui.path:/autotask}")
class LoginPageController {

	private static final String PAGE = """
			<!DOCTYPE html>
			<html lang="en">
			<head>
			<meta charset="utf-8">
			<meta name="viewport" content="width=device-width, initial-scale=1">
			<title>autotask: log in</title>
			<link rel="icon" href="data:,">
			<link rel="stylesheet" href="admin.css">
			</head>
			<body class="login">
			<main>
			<h1>autotask</h1>
			%s
			<form method="post" action="login">
			<label for="username">User</label>
			<input id="username" name="username" autocomplete="username" required autofocus>
			<label for="password">Password</label>
			<input id="password" name="password" type="password" autocomplete="current-password" required>
			<input type="hidden" name="%s" value="%s">
			<button type="submit" id="login">Log in</button>
			</form>
			</main>
			</body>
			</html>
			""";

	@GetMapping("/login")
	ResponseEntity<byte[]> login(@RequestParam(required = false) @Nullable String error,
			@RequestParam(required = false) @Nullable String logout, HttpServletRequest request) {
		String notice = "";
		if (error != null) {
			notice = "<p class=\"error\" role=\"alert\">Wrong user or password.</p>";
		}
		else if (logout != null) {
			notice = "<p class=\"notice\">You are logged out.</p>";
		}
		CsrfToken token = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
		String html = PAGE.formatted(notice, (token != null) ? HtmlUtils.htmlEscape(token.getParameterName()) : "_csrf",
				(token != null) ? HtmlUtils.htmlEscape(token.getToken()) : "");
		return ResponseEntity.ok()
			.header("Content-Security-Policy", AdminPageController.CONTENT_SECURITY_POLICY)
			.header("Referrer-Policy", AdminPageController.REFERRER_POLICY)
			.header(HttpHeaders.CACHE_CONTROL, CacheControl.noStore().getHeaderValue())
			.contentType(MediaType.parseMediaType("text/html;charset=UTF-8"))
			.body(html.getBytes(StandardCharsets.UTF_8));
	}

}
