package dev.autotask.boot.web;

import java.util.List;

/**
 * The settings the REST API works with, from {@code autotask.ui.*} and
 * {@code autotask.history.per-task}.
 *
 * @param path the admin page's path; the API is at path + {@code /api}
 * @param maxBodySize the largest request body, in bytes
 * @param historyPerTask how many runs of a task the history lists
 * @param role the role that may start, cancel and pause
 * @param serviceUsers the users a task may be started as, besides the caller
 */
record ApiSettings(String path, long maxBodySize, int historyPerTask, String role, List<String> serviceUsers) {

	String apiPath() {
		return this.path + "/api";
	}

}
