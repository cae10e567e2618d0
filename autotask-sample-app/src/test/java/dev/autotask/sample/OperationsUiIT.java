package dev.autotask.sample;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import dev.autotask.boot.testsupport.ApplicationDatabase;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.remote.RemoteWebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an operator does to the running system from the admin page, in a real headless Chromium
 * against the sample: see what each node runs and open those tasks, pause and resume a schedule,
 * do it all from the keyboard, and on a phone. Saves the nodes screenshot docs/rest-api.md shows.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "sample.admin-password=operations-ui-test", "sample.viewer-password=viewer-ui-test" })
class OperationsUiIT {

	private static final String SCHEDULED = "housekeepingTasks.refreshRates";

	@RegisterExtension
	@ApplicationDatabase
	static final PostgresExtension postgres = PostgresExtension.empty();

	@Value("${local.server.port}")
	int port;

	@Value("${sample.admin-password}")
	String adminPassword;

	private RemoteWebDriver browser;

	private Chromium.Session session;

	@BeforeEach
	void emptyTables() {
		postgres.jdbc().sql("DELETE FROM " + postgres.schema() + ".autotask_task WHERE status <> 'RUNNING'").update();
		postgres.jdbc().sql("DELETE FROM " + postgres.schema() + ".autotask_schedule").update();
	}

	@AfterEach
	void closeBrowser() {
		if (this.browser != null) {
			// Nothing left running for the next test: the syncs stop at their next page.
			api("tasks/bulk", "POST", "{\"action\": \"cancel\", \"query\": {}}");
			List<String> errors = Chromium.consoleErrors(this.browser);
			this.browser.quit();
			assertThat(errors).as("errors in the browser console").isEmpty();
		}
	}

	@Test
	void aNodeShowsWhatItRunsAndItsRunningCountOpensThoseTasks() {
		logIn(1280, 900);
		// Syncs run one at a time, 4 s each: one of them runs for the whole test.
		for (int customer = 1; customer <= 5; customer++) {
			api("tasks", "POST", "{\"name\": \"reportTasks.syncCustomer\", \"args\": [" + customer + "]}");
		}
		// The nodes view shows what the API said when it opened: open it again until a sync runs.
		this.browser.get(page() + "#nodes");
		String node = wait((driver) -> {
			driver.navigate().refresh();
			WebElement running = new WebDriverWait(driver, Duration.ofSeconds(10))
				.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#nodes tbody tr td.running a")));
			return running.getText().equals("0") ? null
					: running.findElement(By.xpath("ancestor::tr")).getAttribute("data-node");
		});
		By row = By.cssSelector("#nodes tr[data-node='" + node + "']");
		assertThat(this.browser.findElement(row).findElement(By.cssSelector("td.ahead")).getText()).matches("\\d+");
		Chromium.screenshot(this.browser, "admin-nodes");

		this.browser.findElement(row).findElement(By.cssSelector("td.running a")).click();
		wait(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#search-results tbody tr[data-status=RUNNING]")));
		assertThat(this.browser.getCurrentUrl()).contains("status=RUNNING").contains("node=" + URLEncoder.encode(node, StandardCharsets.UTF_8));
		assertThat(this.browser.findElements(By.cssSelector("#search-results tbody tr")))
			.allSatisfy((task) -> assertThat(task.getText()).contains("reportTasks.syncCustomer").contains("RUNNING"));
		assertThat(this.browser.findElement(By.cssSelector("#search-form input[name=node]")).getAttribute("value"))
			.as("the node filter kept in the form, for the next search").isEqualTo(node);
		assertThat(this.browser.findElement(By.id("search-live")).isSelected()).as("live refresh by default").isTrue();
	}

	@Test
	void aScheduleIsPausedFromItsPageOnEveryNodeAndResumed() {
		logIn(1280, 900);
		this.browser.get(page() + "#task/" + SCHEDULED);
		WebElement toggle = wait(ExpectedConditions
			.visibilityOfElementLocated(By.cssSelector("#schedule-toggle[data-action=pause-schedule]")));
		try {
			toggle.click();
			wait(ExpectedConditions.textToBePresentInElementLocated(By.id("schedule-state"), "Paused on every node"));
			assertThat(this.browser.findElement(By.id("schedule-toggle")).getText()).isEqualTo("Resume schedule");
			assertThat(paused()).as("paused in the database").isTrue();
			assertThat(pausedByApi()).as("paused in the REST API").isTrue();
			this.browser.get(page() + "#tasks");
			wait(ExpectedConditions.visibilityOfElementLocated(
					By.cssSelector("#task-types tr[data-task='" + SCHEDULED + "'] .badge.paused")));
		}
		finally {
			this.browser.get(page() + "#task/" + SCHEDULED);
			wait(ExpectedConditions
				.elementToBeClickable(By.cssSelector("#schedule-toggle[data-action=resume-schedule]"))).click();
			wait(ExpectedConditions
				.visibilityOfElementLocated(By.cssSelector("#schedule-toggle[data-action=pause-schedule]")));
		}
		assertThat(paused()).as("paused in the database").isFalse();
		assertThat(pausedByApi()).as("paused in the REST API").isFalse();
		assertThat(this.browser.findElement(By.id("schedule-state")).getText()).startsWith("Runs ");
	}

	@Test
	void actionsAreReachedWithTabShowWhereTheFocusIsAndRunOnEnter() {
		logIn(1280, 900);
		this.browser.get(page() + "#queues");
		By pause = By.cssSelector("#queues tr[data-queue=reports] [data-action=pause]");
		By resume = By.cssSelector("#queues tr[data-queue=reports] [data-action=resume]");
		wait(ExpectedConditions.visibilityOfElementLocated(pause));
		try {
			WebElement button = tabTo(pause);
			String outline = (String) this.browser
				.executeScript("const style = getComputedStyle(document.activeElement);"
						+ " return style.outlineStyle + ' ' + style.outlineWidth;");
			assertThat(outline).as("focus ring").startsWith("solid").doesNotEndWith(" 0px");
			button.sendKeys(Keys.ENTER);
			wait(ExpectedConditions.visibilityOfElementLocated(resume));
			assertThat(this.browser.findElement(By.cssSelector("#queues tr[data-queue=reports]")).getText())
				.contains("paused");
		}
		finally {
			tabTo(resume).sendKeys(Keys.ENTER);
			wait(ExpectedConditions.visibilityOfElementLocated(pause));
		}
	}

	@Test
	void nodesAndTheSearchFitAPhoneAndTheSearchFormWorksThere() {
		logIn(390, 844);
		api("tasks", "POST", "{\"name\": \"noticeTasks.post\", \"args\": [\"from a phone\"]}");
		this.browser.get(page() + "#nodes");
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("leader"), "Leader:"));
		assertThat(overflow()).as("page wider than the screen by").isLessThanOrEqualTo(0);

		this.browser.get(page() + "#search");
		WebElement name = wait(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#search-form [name=name]")));
		Number right = (Number) this.browser.executeScript(
				"return Math.max(...Array.from(document.querySelectorAll('#search-form input, #search-form button'))"
						+ ".map((field) => field.getBoundingClientRect().right))");
		assertThat(right.doubleValue()).as("right edge of the search form's fields")
			.isLessThanOrEqualTo(((Number) this.browser.executeScript("return window.innerWidth")).doubleValue());
		name.sendKeys("noticeTasks.post", Keys.ENTER);
		wait(ExpectedConditions.urlContains("name=noticeTasks.post"));
		wait(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#search-results tbody tr")));
		assertThat(overflow()).as("page wider than the screen by").isLessThanOrEqualTo(0);
	}

	/**
	 * Press Tab from the top of the page until the element is focused; a redraw that takes the
	 * focus away sends it back to the top, and the tabbing goes on.
	 */
	private WebElement tabTo(By target) {
		this.browser.executeScript("document.activeElement.blur()");
		for (int presses = 0; presses < 150; presses++) {
			WebElement focused = this.browser.switchTo().activeElement();
			List<WebElement> matches = this.browser.findElements(target);
			if (!matches.isEmpty() && matches.get(0).equals(focused)) {
				return focused;
			}
			focused.sendKeys(Keys.TAB);
		}
		throw new AssertionError("Tab never reached " + target);
	}

	private boolean pausedByApi() {
		return (Boolean) this.browser.executeAsyncScript("const [name, done] = arguments;"
				+ " call('task-types').then((types) => done(types.find((type) => type.name === name).paused));",
				SCHEDULED);
	}

	private boolean paused() {
		return postgres.jdbc()
			.sql("SELECT coalesce(bool_or(paused), false) FROM " + postgres.schema() + ".autotask_schedule WHERE name = ?")
			.param(SCHEDULED)
			.query(Boolean.class)
			.single();
	}

	/**
	 * Call the admin API from the page, as the logged-in user, with the page's CSRF handling.
	 */
	private String api(String path, String method, String body) {
		Object answer = this.browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
				+ " call(arguments[0], arguments[2] === null ? { method: arguments[1] }"
				+ " : { method: arguments[1], body: arguments[2] })"
				+ ".then((result) => done(JSON.stringify(result)), (error) => done('failed: ' + error.message));",
				path, method, body);
		assertThat(String.valueOf(answer)).as("answer to " + method + " " + path).doesNotStartWith("failed");
		return String.valueOf(answer);
	}

	private int overflow() {
		return ((Number) this.browser.executeScript("return document.documentElement.scrollWidth - window.innerWidth"))
			.intValue();
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
