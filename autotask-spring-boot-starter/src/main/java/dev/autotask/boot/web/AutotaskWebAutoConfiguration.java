package dev.autotask.boot.web;

import java.util.List;

import dev.autotask.Autotask;
import dev.autotask.boot.autoconfigure.AutotaskAutoConfiguration;
import dev.autotask.boot.autoconfigure.AutotaskProperties;
import dev.autotask.task.TaskRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.server.servlet.CookieSameSiteSupplier;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.www.BasicAuthenticationEntryPoint;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.util.StringUtils;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * Auto-configuration of autotask's REST API, at {@code autotask.ui.path} + {@code /api}, in a
 * servlet web application with Spring MVC.
 *
 * <p>
 * Where Spring Security is on the class path, the API is on unless
 * {@code autotask.ui.enabled=false}, and a {@link SecurityFilterChain} named
 * {@code autotaskSecurityFilterChain} protects everything under the path: reading needs
 * {@code autotask.ui.read-role} or {@code autotask.ui.role}, anything else
 * {@code autotask.ui.role}; CSRF protection is on, with the token in a cookie scripts can read
 * ({@code XSRF-TOKEN}, sent back as the {@code X-XSRF-TOKEN} header); users log in with HTTP
 * Basic or a login form. The token and session cookies are {@code SameSite=Lax}. The chain is ordered ahead of the application's own chains, so that
 * none of them can open the path by matching it first; an application replaces it by
 * defining a bean of that name. This auto-configuration runs after Boot's security
 * auto-configurations, so that their default chain, which steps back once any chain exists,
 * still protects the rest of the application.
 *
 * <p>
 * Without Spring Security the API is off unless {@code autotask.ui.enabled=true}, and then
 * open to anyone who can reach the port, which is logged as a warning at start-up.
 *
 * <p>
 * Tasks are started and read as the owner an {@link OwnerResolver} bean names, by default
 * the application's own ({@code autotask.owner}).
 */
@AutoConfiguration(after = AutotaskAutoConfiguration.class, afterName = {
		"org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration",
		// Each of these defines a default chain only while no other chain exists.
		"org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
		"org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration",
		"org.springframework.boot.security.oauth2.server.resource.autoconfigure.web.OAuth2ResourceServerWebSecurityAutoConfiguration",
		"org.springframework.boot.security.oauth2.client.autoconfigure.servlet.OAuth2ClientWebSecurityAutoConfiguration",
		"org.springframework.boot.security.saml2.autoconfigure.Saml2RelyingPartyAutoConfiguration",
		"org.springframework.boot.security.oauth2.server.authorization.autoconfigure.servlet.OAuth2AuthorizationServerAutoConfiguration" })
@ConditionalOnWebApplication(type = Type.SERVLET)
@ConditionalOnClass(DispatcherServlet.class)
@ConditionalOnBean(Autotask.class)
@Conditional(OnUiEnabledCondition.class)
@EnableConfigurationProperties({ AutotaskProperties.class, AutotaskWebProperties.class })
public final class AutotaskWebAutoConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(AutotaskWebAutoConfiguration.class);

	@Bean
	TaskApiController autotaskTaskApiController(Autotask client, TaskRegistry registry, AutotaskWebProperties ui,
			AutotaskProperties properties, ObjectProvider<OwnerResolver> ownerResolver) {
		return new TaskApiController(client, registry, owners(ownerResolver, client), settings(ui, properties));
	}

	@Bean
	ClusterApiController autotaskClusterApiController(Autotask client, TaskRegistry registry, AutotaskWebProperties ui,
			AutotaskProperties properties, ObjectProvider<OwnerResolver> ownerResolver) {
		return new ClusterApiController(client, registry, owners(ownerResolver, client), settings(ui, properties));
	}

	@Bean
	ScheduleApiController autotaskScheduleApiController(Autotask client, AutotaskWebProperties ui,
			AutotaskProperties properties, ObjectProvider<OwnerResolver> ownerResolver) {
		return new ScheduleApiController(client, owners(ownerResolver, client), settings(ui, properties));
	}

	@Bean
	GroupApiController autotaskGroupApiController(Autotask client, ObjectProvider<OwnerResolver> ownerResolver) {
		return new GroupApiController(client, owners(ownerResolver, client));
	}

	@Bean
	ApiExceptionHandler autotaskApiExceptionHandler() {
		return new ApiExceptionHandler();
	}

	@Bean
	AdminPageController autotaskAdminPageController(AutotaskWebProperties ui) {
		return new AdminPageController(ui.getPath());
	}

	@Bean
	FilterRegistrationBean<ApiProblemFilter> autotaskApiProblemFilter(AutotaskWebProperties ui,
			AutotaskProperties properties, Environment environment) {
		// Under the DispatcherServlet's own path, as the controllers are.
		String servletPath = StringUtils.trimTrailingCharacter(environment.getProperty("spring.mvc.servlet.path", "/"),
				'/');
		FilterRegistrationBean<ApiProblemFilter> registration = new FilterRegistrationBean<>(new ApiProblemFilter());
		registration.addUrlPatterns(servletPath + settings(ui, properties).apiPath() + "/*");
		// Ahead of Spring Security's filters, so that their 401 is a problem detail too.
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
		return registration;
	}

	private static OwnerResolver owners(ObjectProvider<OwnerResolver> ownerResolver, Autotask client) {
		return ownerResolver.getIfAvailable(() -> (request) -> client.defaultOwner());
	}

	private static ApiSettings settings(AutotaskWebProperties ui, AutotaskProperties properties) {
		return new ApiSettings(ui.getPath(), ui.getMaxBodySize().toBytes(), properties.getHistory().getPerTask(),
				ui.getRole(), List.copyOf(ui.getServiceUsers()));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ HttpSecurity.class, SecurityFilterChain.class })
	static class SecurityConfiguration {

		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE + 10)
		@ConditionalOnMissingBean(name = "autotaskSecurityFilterChain")
		SecurityFilterChain autotaskSecurityFilterChain(HttpSecurity http, AutotaskWebProperties ui,
				ObjectProvider<PathPatternRequestMatcher.Builder> matchers) throws Exception {
			// Boot's builder knows the DispatcherServlet's path, as HttpSecurity's own matchers do.
			PathPatternRequestMatcher.Builder matcher = matchers
				.getIfAvailable(PathPatternRequestMatcher::withDefaults);
			String path = ui.getPath();
			BasicAuthenticationEntryPoint basic = new BasicAuthenticationEntryPoint();
			basic.setRealmName("autotask");
			http.securityMatcher(path, path + "/**")
				.authorizeHttpRequests((requests) -> requests
					.requestMatchers(HttpMethod.GET, path + "/login", path + "/admin.css")
					.permitAll()
					.requestMatchers(HttpMethod.GET, path, path + "/**")
					.hasAnyRole(ui.getReadRole(), ui.getRole())
					.anyRequest()
					.hasRole(ui.getRole()))
				.csrf((csrf) -> csrf.spa().csrfTokenRepository(csrfTokens()))
				.addFilterAfter(new CsrfCookieFilter(), CsrfFilter.class)
				// API clients get a 401, whatever they accept; the admin page may redirect to a login form.
				.exceptionHandling((exceptions) -> exceptions
					.defaultAuthenticationEntryPointFor(basic, matcher.matcher(path + "/api/**"))
					.accessDeniedHandler(new ForbiddenHandler()))
				.httpBasic(Customizer.withDefaults())
				// The page's own login form, under its path: the page works whatever login the
				// rest of the application has, or none.
				.formLogin((form) -> form.loginPage(path + "/login")
					.defaultSuccessUrl(path + "/", false)
					.failureUrl(path + "/login?error")
					.permitAll())
				.logout((logout) -> logout.logoutUrl(path + "/logout").logoutSuccessUrl(path + "/login?logout"));
			return http.build();
		}

		/**
		 * The token cookie of {@code csrf.spa()}, readable by scripts, with
		 * {@code SameSite=Lax}: a page of another site can neither post with it nor read it.
		 */
		private static CookieCsrfTokenRepository csrfTokens() {
			CookieCsrfTokenRepository tokens = CookieCsrfTokenRepository.withHttpOnlyFalse();
			tokens.setCookieCustomizer((cookie) -> cookie.sameSite("Lax"));
			return tokens;
		}

		@Bean
		LoginPageController autotaskLoginPageController() {
			return new LoginPageController();
		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(name = "org.springframework.boot.web.server.servlet.CookieSameSiteSupplier")
		static class SessionCookieConfiguration {

			/**
			 * {@code SameSite=Lax} on the session cookie that the admin page's login
			 * creates. Boot asks {@code server.servlet.session.cookie.same-site} first, so an
			 * application that sets it (SAML's POST binding needs {@code none}) keeps its own.
			 */
			@Bean
			CookieSameSiteSupplier autotaskSessionCookieSameSiteSupplier(Environment environment) {
				String name = environment.getProperty("server.servlet.session.cookie.name", "JSESSIONID");
				return CookieSameSiteSupplier.ofLax().whenHasName(name);
			}

		}

	}

	@Configuration(proxyBeanMethods = false)
	@Conditional(SpringSecurityMissingCondition.class)
	static class WithoutSecurityConfiguration {

		WithoutSecurityConfiguration(AutotaskWebProperties ui) {
			logger.warn("autotask's admin page and REST API are on at {} without Spring Security (autotask.ui.enabled=true): "
					+ "anyone who can reach this application's port can start any registered task and read "
					+ "tasks. Add Spring Security to protect it, or keep the port private.",
					ui.getPath());
		}

	}

	static final class SpringSecurityMissingCondition extends NoneNestedConditions {

		SpringSecurityMissingCondition() {
			super(ConfigurationPhase.PARSE_CONFIGURATION);
		}

		@ConditionalOnClass(name = { OnUiEnabledCondition.HTTP_SECURITY, OnUiEnabledCondition.SECURITY_FILTER_CHAIN })
		static final class SpringSecurityPresent {

		}

	}

}
