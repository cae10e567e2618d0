package dev.autotask.boot.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Serves the admin page: one HTML page, five scripts (the page, its task console, its
 * queues' charts, its schedules and its groups) and a style sheet from the starter's jar,
 * which read and act through the REST API. There is nothing to build and nothing rendered on
 * the server: the page fills itself with {@code textContent}, never with HTML from data, and a
 * strict Content-Security-Policy forbids inline scripts, so that a task name, argument or
 * result cannot run as script.
 */
@RestController
@RequestMapping("${autotask.ui.path:/autotask}")
class AdminPageController {

	static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
			+ "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

	/** The page's address, which names the admin path, is sent to no other site. */
	static final String REFERRER_POLICY = "no-referrer";

	private static final String LOCATION = "META-INF/autotask/admin/";

	private static final MediaType SCRIPT = MediaType.parseMediaType("text/javascript;charset=UTF-8");

	private static final Map<String, MediaType> ASSETS = Map.of("admin.js", SCRIPT, "console.js", SCRIPT, "charts.js",
			SCRIPT, "schedules.js", SCRIPT, "groups.js", SCRIPT, "admin.css",
			MediaType.parseMediaType("text/css;charset=UTF-8"));

	private final String pageName;

	private final byte[] page = read("index.html");

	private final Map<String, byte[]> assets = Map.of("admin.js", read("admin.js"), "console.js", read("console.js"),
			"charts.js", read("charts.js"), "schedules.js", read("schedules.js"), "groups.js", read("groups.js"),
			"admin.css", read("admin.css"));

	AdminPageController(String path) {
		this.pageName = path.substring(path.lastIndexOf('/') + 1);
	}

	@GetMapping({ "", "/" })
	ResponseEntity<byte[]> page(HttpServletRequest request) {
		if (!request.getRequestURI().endsWith("/")) {
			// The page's links are relative to the trailing slash; so is this redirect, which
			// keeps working behind a proxy that serves the application under a prefix.
			return ResponseEntity.status(HttpStatus.FOUND).location(URI.create("./" + this.pageName + "/")).build();
		}
		return secured(ResponseEntity.ok()).contentType(MediaType.parseMediaType("text/html;charset=UTF-8"))
			.body(this.page);
	}

	@GetMapping("/{asset:admin\\.(?:js|css)|console\\.js|charts\\.js|schedules\\.js|groups\\.js}")
	ResponseEntity<byte[]> asset(@PathVariable String asset) {
		return secured(ResponseEntity.ok()).contentType(ASSETS.get(asset)).body(this.assets.get(asset));
	}

	private static ResponseEntity.BodyBuilder secured(ResponseEntity.BodyBuilder builder) {
		return builder.header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
			.header("Referrer-Policy", REFERRER_POLICY)
			.header("X-Content-Type-Options", "nosniff")
			.header(HttpHeaders.CACHE_CONTROL, CacheControl.noStore().getHeaderValue());
	}

	private static byte[] read(String name) {
		try (InputStream in = new ClassPathResource(LOCATION + name, AdminPageController.class.getClassLoader())
			.getInputStream()) {
			return in.readAllBytes();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("autotask's admin page asset " + name + " is missing from the jar", ex);
		}
	}

}
