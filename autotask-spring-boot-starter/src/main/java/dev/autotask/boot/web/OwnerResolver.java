package dev.autotask.boot.web;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

/**
 * Decides which owner a request to the REST API acts for: the owner of the tasks it starts,
 * and the only owner whose tasks it can read.
 *
 * <p>
 * By default every request acts for the application's own owner,
 * {@link dev.autotask.Autotask#defaultOwner()} ({@code autotask.owner}), the same owner
 * as calls of {@code @DelayedTask} methods, so that tasks started over HTTP and from code are
 * visible to each other. The name of the authenticated user is deliberately <em>not</em> the
 * owner: users are not tenants, and an admin must be able to follow a task another admin
 * started. A multi-tenant application defines a bean of this type to map the user (or a
 * header, or the host name) to its tenant:
 *
 * <pre class="code">
 * &#64;Bean
 * OwnerResolver ownerResolver(Tenants tenants) {
 *     return (request) -&gt; tenants.tenantOf(request.getUserPrincipal());
 * }
 * </pre>
 *
 * @see dev.autotask.Autotask#status(long, String)
 */
@FunctionalInterface
public interface OwnerResolver {

	/**
	 * The owner a request acts for.
	 * @param request the request to the REST API, already authenticated where Spring
	 * Security protects it
	 * @return the owner (1 to 200 characters), or {@code null} if the request may neither
	 * start nor read any task, which answers 403
	 */
	@Nullable String ownerOf(HttpServletRequest request);

}
