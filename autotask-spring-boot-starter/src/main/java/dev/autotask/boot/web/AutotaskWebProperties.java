package dev.autotask.boot.web;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.Assert;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties of autotask's REST API and admin page.
 */
@ConfigurationProperties("autotask.ui")
public class AutotaskWebProperties {

	/**
	 * Whether to serve the REST API (and the admin page). Defaults to on where Spring Security
	 * is on the class path, which then protects it, and to off without it, since the API would
	 * then be open to anyone who can reach the port.
	 */
	private @Nullable Boolean enabled;

	/**
	 * Path under which the admin page is served; the REST API is at path/api.
	 */
	private String path = "/autotask";

	/**
	 * Role, without the ROLE_ prefix, that may start tasks and read them.
	 */
	private String role = "AUTOTASK_ADMIN";

	/**
	 * Role, without the ROLE_ prefix, that may read tasks and registered tasks but not start
	 * them.
	 */
	private String readRole = "AUTOTASK_VIEWER";

	/**
	 * Largest request body the REST API accepts; a larger one is refused with status 413.
	 */
	private DataSize maxBodySize = DataSize.ofKilobytes(64);

	/**
	 * Service users an admin may start tasks as, besides themselves ("start as"). The task
	 * records the user it was started as and sees it through its context.
	 */
	private List<String> serviceUsers = new ArrayList<>();

	public @Nullable Boolean getEnabled() {
		return this.enabled;
	}

	public void setEnabled(@Nullable Boolean enabled) {
		this.enabled = enabled;
	}

	public String getPath() {
		return this.path;
	}

	public void setPath(String path) {
		Assert.isTrue(path.length() > 1, "'path' must have length greater than 1");
		Assert.isTrue(path.startsWith("/"), "'path' must start with '/'");
		Assert.isTrue(!path.endsWith("/"), "'path' must not end with '/'");
		this.path = path;
	}

	public String getRole() {
		return this.role;
	}

	public void setRole(String role) {
		this.role = role;
	}

	public String getReadRole() {
		return this.readRole;
	}

	public void setReadRole(String readRole) {
		this.readRole = readRole;
	}

	public DataSize getMaxBodySize() {
		return this.maxBodySize;
	}

	public void setMaxBodySize(DataSize maxBodySize) {
		Assert.isTrue(maxBodySize.toBytes() > 0, "'maxBodySize' must be positive");
		this.maxBodySize = maxBodySize;
	}

	public List<String> getServiceUsers() {
		return this.serviceUsers;
	}

	public void setServiceUsers(List<String> serviceUsers) {
		for (String user : serviceUsers) {
			Assert.isTrue(!user.isBlank() && user.length() <= 200,
					"'serviceUsers' must hold names of 1 to 200 characters, got '" + user + "'");
		}
		this.serviceUsers = serviceUsers;
	}

}
