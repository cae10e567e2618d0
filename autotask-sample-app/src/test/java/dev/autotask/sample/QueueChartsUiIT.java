package dev.autotask.sample;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import dev.autotask.Autotask;
import dev.autotask.QueuePoint;
import dev.autotask.boot.testsupport.ApplicationDatabase;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.remote.RemoteWebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The queues' charts on the admin page in a real headless Chromium against the sample: tasks
 * that ran show as bars of succeeded and failed tasks, a paused queue's waiting tasks as its
 * depth, each chart names its latest values for a screen reader, and the day's view draws the
 * same tasks by the quarter hour. Saves the screenshot docs/operations.md shows.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "sample.admin-password=charts-ui-test", "sample.viewer-password=viewer-ui-test" })
class QueueChartsUiIT {

	private static final String OWNER = "sample-shop";

	private static final By DEFAULT_ENDED = By
		.cssSelector("figure[data-queue=default] svg[data-chart=ended]");

	@RegisterExtension
	@ApplicationDatabase
	static final PostgresExtension postgres = PostgresExtension.empty();

	@Value("${local.server.port}")
	int port;

	@Value("${sample.admin-password}")
	String adminPassword;

	@Autowired
	Autotask autotask;

	private RemoteWebDriver browser;

	private Chromium.Session session;

	@AfterEach
	void closeBrowser() {
		this.autotask.resume("sync");
		if (this.browser != null) {
			List<String> errors = Chromium.consoleErrors(this.browser);
			this.browser.quit();
			assertThat(errors).as("errors in the browser console").isEmpty();
		}
	}

	@Test
	void chartsDrawTheTasksThatRanAndThoseWaitingInAPausedQueue() {
		// Even customers are invoiced, odd ones have no billing address and fail for good.
		for (long customer = 2; customer <= 8; customer++) {
			this.autotask.send("reportTasks.invoice", OWNER, customer);
		}
		this.autotask.pause("sync");
		for (long customer = 1; customer <= 3; customer++) {
			this.autotask.send("reportTasks.syncCustomer", OWNER, customer);
		}
		// Counts reach the database with a heartbeat, depth with the leader's next sample (twice a minute).
		await().atMost(Duration.ofSeconds(60)).until(() -> ended("default", true) >= 4 && ended("default", false) >= 3
				&& stats("sync").stream().anyMatch((point) -> point.depth() != null && point.depth() == 3));

		logIn(1280, 1000);
		this.browser.get(page() + "#queues");
		WebElement ended = wait(ExpectedConditions.presenceOfElementLocated(DEFAULT_ENDED));
		assertThat(ended.findElements(By.cssSelector("rect.ok"))).isNotEmpty()
			.allMatch((bar) -> Double.parseDouble(bar.getAttribute("height")) > 0);
		assertThat(ended.findElements(By.cssSelector("rect.bad"))).isNotEmpty();
		assertThat(ended.getAttribute("role")).isEqualTo("img");
		assertThat(ended.getAttribute("aria-label")).startsWith("Queue default, tasks ended per minute, last hour: ")
			.containsPattern("[4-9]\\d* succeeded and [3-9]\\d* failed");
		WebElement depth = this.browser.findElement(By.cssSelector("figure[data-queue=sync] svg[data-chart=depth]"));
		assertThat(depth.getAttribute("aria-label")).contains("latest 3, highest 3");
		assertThat(depth.findElement(By.cssSelector("polyline")).getAttribute("data-max")).isEqualTo("3");
		Chromium.screenshot(this.browser, "admin-queue-charts");

		this.browser.findElement(By.cssSelector("#queue-charts [data-window=P1D]")).click();
		wait(ExpectedConditions.attributeToBe(By.cssSelector("#queue-charts [data-window=P1D]"), "aria-pressed", "true"));
		WebElement day = this.browser.findElement(DEFAULT_ENDED);
		assertThat(day.getAttribute("aria-label")).contains("tasks ended per 15 min, last day");
		assertThat(day.findElements(By.cssSelector("rect.ok"))).isNotEmpty();
	}

	private long ended(String queue, boolean succeeded) {
		return stats(queue).stream().mapToLong((point) -> succeeded ? point.succeeded() : point.failed()).sum();
	}

	private List<QueuePoint> stats(String queue) {
		return this.autotask.queueStats(queue, Duration.ofMinutes(5), OWNER);
	}

	private void logIn(int width, int height) {
		this.session = Chromium.start(this.port, width, height);
		this.browser = this.session.driver();
		this.session.logIn("admin", this.adminPassword);
	}

	private <T> T wait(Function<? super WebDriver, T> condition) {
		return this.session.until(condition);
	}

	private String page() {
		return this.session.page();
	}

}
