package dev.autotask.boot.testsupport;

import com.jayway.jsonpath.JsonPath;
import dev.autotask.boot.web.OwnerResolver;

import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers.springSecurity;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * autotask's REST API called through MockMvc, with the users the tests log in as: an admin
 * ({@code ann}), a viewer ({@code vera}) and a user with neither role ({@code olle}). (The
 * application's own user, for HTTP Basic and the login form, is {@link AutotaskContextRunners#ADMIN}.)
 */
public final class TaskApi {

	/** Where the API starts and shows tasks under the default {@code autotask.ui.path}. */
	public static final String TASKS = "/autotask/api/tasks";

	private TaskApi() {
	}

	/**
	 * MockMvc on {@code context}, behind its Spring Security filter chain where it has one.
	 * @param context the application
	 * @return the MockMvc
	 */
	public static MockMvc mockMvc(WebApplicationContext context) {
		if (context.containsBean("springSecurityFilterChain")) {
			return MockMvcBuilders.webAppContextSetup(context).apply(springSecurity()).build();
		}
		return MockMvcBuilders.webAppContextSetup(context).build();
	}

	/**
	 * A user with autotask's admin role.
	 * @return the user
	 */
	public static RequestPostProcessor admin() {
		return user("ann").roles("AUTOTASK_ADMIN");
	}

	/**
	 * A user with autotask's viewer role.
	 * @return the user
	 */
	public static RequestPostProcessor viewer() {
		return user("vera").roles("AUTOTASK_VIEWER");
	}

	/**
	 * A user with neither of autotask's roles.
	 * @return the user
	 */
	public static RequestPostProcessor otherUser() {
		return user("olle").roles("USER");
	}

	/**
	 * A request that starts a task as the admin, with a CSRF token.
	 * @param body the JSON body: the task's name and arguments
	 * @return the request, to add headers to
	 */
	public static MockHttpServletRequestBuilder startRequest(String body) {
		return post(TASKS).with(admin()).with(csrf()).contentType(MediaType.APPLICATION_JSON).content(body);
	}

	/**
	 * The id of the task a response shows.
	 * @param result the response, whose body has the task's {@code id}
	 * @return the id
	 * @throws Exception if the body cannot be read
	 */
	public static long id(MvcResult result) throws Exception {
		return ((Number) JsonPath.read(result.getResponse().getContentAsString(), "$.id")).longValue();
	}

	/**
	 * Starts a task and expects it accepted.
	 * @param mvc the MockMvc of the application
	 * @param request the request, as from {@link #startRequest(String)}
	 * @return the new task's id
	 * @throws Exception if the call fails or is not accepted
	 */
	public static long start(MockMvc mvc, MockHttpServletRequestBuilder request) throws Exception {
		return id(mvc.perform(request).andExpect(status().isAccepted()).andReturn());
	}

	/**
	 * An owner per tenant, named by the {@code X-Tenant} header.
	 * @param otherwise the owner of a request without the header
	 * @return the resolver
	 */
	public static OwnerResolver tenantHeader(String otherwise) {
		return (request) -> {
			String tenant = request.getHeader("X-Tenant");
			return (tenant != null) ? tenant : otherwise;
		};
	}

}
