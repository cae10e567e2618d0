package dev.autotask.boot.web;

import dev.autotask.annotation.DelayedTask;
import dev.autotask.boot.testsupport.AutotaskContextRunners;
import dev.autotask.testsupport.PostgresExtension;
import io.micrometer.context.ContextRegistry;
import jakarta.servlet.http.Cookie;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.Cookie.SameSite;
import org.springframework.boot.web.server.servlet.CookieSameSiteSupplier;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.web.servlet.MockMvc;

import static dev.autotask.boot.testsupport.AutotaskContextRunners.ADMIN;
import static dev.autotask.boot.testsupport.AutotaskContextRunners.ADMIN_PASSWORD;
import static dev.autotask.boot.testsupport.TaskApi.mockMvc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.cookie;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * When the REST API is served and how it is protected: on and secured with Spring Security,
 * off without it unless enabled (then open, with a warning), replaceable security, and the
 * CSRF cookie a script reads.
 */
@ExtendWith(OutputCaptureExtension.class)
class AutotaskWebAutoConfigurationIT {

	static {
		// Some of these contexts hide Spring Security with a FilteredClassLoader, which the runner
		// makes the thread's context class loader. Micrometer's ContextRegistry, first used while
		// such a context starts, would then fail to load Spring Security's ThreadLocalAccessor
		// through ServiceLoader and stay broken for every later test of this JVM: initialise it
		// here, with the test's own class loader.
		ContextRegistry.getInstance();
	}

	private static final String TOUCH = "{\"name\": \"jobs.touch\"}";

	private static final String WARNING = "without Spring Security";

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	private final WebApplicationContextRunner withoutSecurity = AutotaskContextRunners.webApplication(postgres)
		.withPropertyValues("autotask.enabled=false")
		.withBean("jobs", Jobs.class)
		.withClassLoader(new FilteredClassLoader("org.springframework.security"));

	private final WebApplicationContextRunner withSecurity = AutotaskContextRunners.securedWebApplication(postgres)
		.withPropertyValues("autotask.enabled=false")
		.withBean("jobs", Jobs.class);

	@Test
	void isOffWithoutSpringSecurity(CapturedOutput output) {
		this.withoutSecurity.run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(TaskApiController.class);
			mockMvc(context).perform(post("/autotask/api/tasks").contentType(MediaType.APPLICATION_JSON).content(TOUCH))
				.andExpect(status().isNotFound());
		});
		assertThat(output).doesNotContain(WARNING);
	}

	@Test
	void enabledWithoutSpringSecurityIsOpenAndSaysSo(CapturedOutput output) {
		this.withoutSecurity.withPropertyValues("autotask.ui.enabled=true").run((context) -> {
			assertThat(context).hasSingleBean(TaskApiController.class);
			MockMvc mvc = mockMvc(context);
			mvc.perform(post("/autotask/api/tasks").contentType(MediaType.APPLICATION_JSON).content(TOUCH))
				.andExpect(status().isAccepted())
				.andExpect(jsonPath("$.status").value("PENDING"));
			mvc.perform(get("/autotask/api/task-types")).andExpect(jsonPath("$[0].name").value("jobs.touch"));
		});
		assertThat(output).contains("autotask's admin page and REST API are on at /autotask " + WARNING,
				"anyone who can reach this application's port");
	}

	@Test
	void pathIsConfigurable() {
		this.withoutSecurity.withPropertyValues("autotask.ui.enabled=true", "autotask.ui.path=/ops/tasks")
			.run((context) -> {
				MockMvc mvc = mockMvc(context);
				mvc.perform(post("/ops/tasks/api/tasks").contentType(MediaType.APPLICATION_JSON).content(TOUCH))
					.andExpect(status().isAccepted())
					.andExpect(header().string("Location", org.hamcrest.Matchers.startsWith("/ops/tasks/api/tasks/")));
				mvc.perform(get("/autotask/api/task-types")).andExpect(status().isNotFound());
			});
	}

	@Test
	void badPathFailsStartUp() {
		this.withoutSecurity.withPropertyValues("autotask.ui.enabled=true", "autotask.ui.path=/autotask/")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("Failed to bind properties under 'autotask.ui'")
				.hasStackTraceContaining("'path' must not end with '/'"));
	}

	@Test
	void isOnAndProtectedWithSpringSecurityBesideBootsDefaultChain(CapturedOutput output) {
		this.withSecurity.run((context) -> {
			assertThat(context).hasSingleBean(TaskApiController.class).hasBean("autotaskSecurityFilterChain");
			// Boot's own chain still protects the rest of the application.
			assertThat(context.getBeansOfType(SecurityFilterChain.class)).hasSize(2);
			mockMvc(context).perform(get("/autotask/api/task-types")).andExpect(status().isUnauthorized());
		});
		assertThat(output).doesNotContain(WARNING);
	}

	@Test
	void protectsThePathUnderADispatcherServletPath() {
		this.withSecurity.withConfiguration(AutoConfigurations.of(DispatcherServletAutoConfiguration.class))
			.withPropertyValues("spring.mvc.servlet.path=/app")
			.run((context) -> {
				MockMvc mvc = mockMvc(context);
				// Boot's default chain would redirect a browser to its login form, and let any user in.
				mvc.perform(get("/app/autotask/api/task-types").servletPath("/app").accept(MediaType.TEXT_HTML))
					.andExpect(status().isUnauthorized());
				mvc.perform(get("/app/autotask/api/task-types").servletPath("/app").with(user("olle").roles("USER")))
					.andExpect(status().isForbidden());
				mvc.perform(get("/app/autotask/api/task-types").servletPath("/app")
					.with(httpBasic(ADMIN, ADMIN_PASSWORD)))
					.andExpect(status().isOk());
			});
	}

	@Test
	void canBeTurnedOffWithSpringSecurity() {
		this.withSecurity.withPropertyValues("autotask.ui.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(TaskApiController.class)
				.doesNotHaveBean("autotaskSecurityFilterChain"));
	}

	@Test
	void applicationReplacesTheChainByName() {
		this.withSecurity.withUserConfiguration(OpenChain.class).run((context) -> {
			assertThat(context.getBean("autotaskSecurityFilterChain")).isSameAs(context.getBean(OpenChain.class).chain);
			mockMvc(context).perform(get("/autotask/api/task-types")).andExpect(status().isOk());
		});
	}

	@Test
	void scriptSendsBackTheTokenFromTheCookie() {
		this.withSecurity.run((context) -> {
			MockMvc mvc = mockMvc(context);
			Cookie token = mvc.perform(get("/autotask/api/task-types").with(httpBasic(ADMIN, ADMIN_PASSWORD)))
				.andExpect(status().isOk())
				.andExpect(cookie().httpOnly("XSRF-TOKEN", false))
				.andExpect(cookie().sameSite("XSRF-TOKEN", "Lax"))
				.andReturn()
				.getResponse()
				.getCookie("XSRF-TOKEN");
			assertThat(token).isNotNull();

			mvc.perform(post("/autotask/api/tasks").with(httpBasic(ADMIN, ADMIN_PASSWORD))
				.cookie(token)
				.header("X-XSRF-TOKEN", "forged")
				.contentType(MediaType.APPLICATION_JSON)
				.content(TOUCH)).andExpect(status().isForbidden());
			mvc.perform(post("/autotask/api/tasks").with(httpBasic(ADMIN, ADMIN_PASSWORD))
				.cookie(token)
				.header("X-XSRF-TOKEN", token.getValue())
				.contentType(MediaType.APPLICATION_JSON)
				.content(TOUCH)).andExpect(status().isAccepted());
		});
	}

	@Test
	void sessionCookieIsSameSiteLaxUnderWhateverNameTheApplicationGivesIt() {
		this.withSecurity.withPropertyValues("server.servlet.session.cookie.name=SID").run((context) -> {
			CookieSameSiteSupplier supplier = context.getBean(CookieSameSiteSupplier.class);
			assertThat(supplier.getSameSite(new Cookie("SID", "1"))).isEqualTo(SameSite.LAX);
			// The application's other cookies are its own business.
			assertThat(supplier.getSameSite(new Cookie("JSESSIONID", "1"))).isNull();
			assertThat(supplier.getSameSite(new Cookie("theme", "dark"))).isNull();
		});
		this.withoutSecurity.withPropertyValues("autotask.ui.enabled=true")
			.run((context) -> assertThat(context).doesNotHaveBean(CookieSameSiteSupplier.class));
	}

	@Test
	void problemDetailsFilterCoversTheApiUnderTheDispatcherServletsPath() {
		this.withSecurity.withPropertyValues("autotask.ui.path=/ops/tasks", "spring.mvc.servlet.path=/app/")
			.run((context) -> assertThat(context.getBean(FilterRegistrationBean.class).getUrlPatterns())
				.containsExactly("/app/ops/tasks/api/*"));
		this.withSecurity.run((context) -> assertThat(context.getBean(FilterRegistrationBean.class).getUrlPatterns())
			.containsExactly("/autotask/api/*"));
	}

	@Test
	void isOffOutsideAServletWebApplication() {
		AutotaskContextRunners.application(postgres)
			.withConfiguration(AutoConfigurations.of(AutotaskWebAutoConfiguration.class))
			.withPropertyValues("autotask.enabled=false", "autotask.ui.enabled=true")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(TaskApiController.class));
	}

	public static class Jobs {

		@DelayedTask
		public void touch() {
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OpenChain {

		SecurityFilterChain chain;

		@Bean
		SecurityFilterChain autotaskSecurityFilterChain(HttpSecurity http) throws Exception {
			this.chain = http.securityMatcher("/autotask/**")
				.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
				.build();
			return this.chain;
		}

	}

}
