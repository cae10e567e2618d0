package dev.autotask.sample;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import dev.autotask.boot.testsupport.ApplicationDatabase;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
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
 * The admin page in a real headless Chromium against the sample application: log in, start a
 * task with JSON arguments and watch it succeed, run it again, cancel a pending one, see bad
 * JSON explained, look as a read-only user, and no script smuggled in through arguments ever
 * runs. Saves most of the screenshots docs/rest-api.md shows ({@link OperationsUiIT} the nodes').
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "sample.admin-password=admin-ui-test", "sample.viewer-password=viewer-ui-test" })
class AdminUiIT {

	@RegisterExtension
	@ApplicationDatabase
	static final PostgresExtension postgres = PostgresExtension.empty();

	@Value("${local.server.port}")
	int port;

	@Value("${sample.admin-password}")
	String adminPassword;

	@Value("${sample.viewer-password}")
	String viewerPassword;

	private RemoteWebDriver browser;

	// The application's root as the browser reaches it.
	private String baseUrl;

	/** Whether the test provokes refusals, which the console lists as failed requests. */
	private boolean refusalsExpected;

	@AfterEach
	void closeBrowser() {
		if (this.browser != null) {
			List<String> errors = Chromium.consoleErrors(this.browser)
				.stream()
				.filter((error) -> !(this.refusalsExpected && error.contains("status of 400")))
				.toList();
			this.browser.quit();
			assertThat(errors).as("errors in the browser console").isEmpty();
		}
	}

	@Test
	void adminStartsATaskWithArgumentsWatchesItSucceedAndRunsItAgain() {
		logIn("admin", this.adminPassword, 1280, 900);
		Chromium.screenshot(this.browser, "admin-tasks");
		open("reportTasks.rebuild");
		assertThat(args().getAttribute("value")).contains("\"customerId\": 0").contains("\"rows\": 0");

		typeArgs("{\"customerId\": 42, \"rows\": 300}");
		List<String> before = runIds();
		click(By.id("start-me"));

		WebElement run = waitForNewRun(before, "SUCCESS");
		assertThat(run.getText()).contains("rebuilt 300 rows for customer 42").contains("admin");
		String firstId = run.getAttribute("data-id");
		Chromium.screenshot(this.browser, "admin-history");

		List<String> beforeAgain = runIds();
		clickAction(firstId, "run-again");
		WebElement again = waitForNewRun(beforeAgain, "SUCCESS");
		assertThat(again.getText()).contains("rebuilt 300 rows for customer 42");
		String againId = again.getAttribute("data-id");

		clickAction(againId, "info");
		By info = By.cssSelector("#history .run[data-id='" + againId + "'] .info pre");
		wait(ExpectedConditions.visibilityOfElementLocated(info));
		assertThat(this.browser.findElement(info).getText()).contains("\"maxAttempts\": 6", "\"startedBy\": \"admin\"",
				"\"args\": [");
	}

	@Test
	void pendingTaskIsCancelledFromItsHistoryWhileItsQueueIsPaused() {
		logIn("admin", this.adminPassword, 1280, 900);
		this.browser.get(page() + "#queues");
		WebElement reports = wait(ExpectedConditions
			.visibilityOfElementLocated(By.cssSelector("#queues tr[data-queue=reports] [data-action=pause]")));
		reports.click();
		wait(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#queues tr[data-queue=reports] [data-action=resume]")));
		Chromium.screenshot(this.browser, "admin-queues");
		try {
			open("reportTasks.rebuild");
			typeArgs("{\"customerId\": 7, \"rows\": 1}");
			List<String> before = runIds();
			click(By.id("start-me"));
			String id = waitForNewRun(before, "PENDING").getAttribute("data-id");
			assertThat(this.browser.findElement(By.id("live")).isDisplayed()).as("live updates").isTrue();

			clickAction(id, "cancel");

			WebElement cancelled = waitForRun(id, "CANCELLED");
			assertThat(cancelled.findElements(By.cssSelector("[data-action=cancel]"))).isEmpty();
		}
		finally {
			this.browser.get(page() + "#queues");
			wait(ExpectedConditions
				.elementToBeClickable(By.cssSelector("#queues tr[data-queue=reports] [data-action=resume]"))).click();
			wait(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#queues tr[data-queue=reports] [data-action=pause]")));
		}
	}

	@Test
	void badJsonIsExplainedNextToTheFieldAndStartsNothing() {
		logIn("admin", this.adminPassword, 1280, 900);
		open("reportTasks.rebuild");
		List<String> before = runIds();
		this.refusalsExpected = true;

		typeArgs("{\"customerId\": 42,");
		click(By.id("start-me"));
		WebElement error = wait(ExpectedConditions.visibilityOfElementLocated(By.id("args-error")));
		assertThat(error.getText()).startsWith("The arguments are not valid JSON");

		typeArgs("{\"customerId\": \"forty-two\", \"rows\": 1}");
		click(By.id("start-me"));
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("args-error"), "customerId"));
		assertThat(this.browser.findElement(By.id("args-error")).getText()).doesNotContain("Exception", "at dev.");
		Chromium.screenshot(this.browser, "admin-bad-json");
		assertThat(runIds()).as("runs after bad input").isEqualTo(before);
	}

	@Test
	void serviceUserStartsATaskAndNoScriptInItsArgumentsRuns() {
		logIn("admin", this.adminPassword, 1280, 900);
		open("noticeTasks.post");
		String hostile = "<img src=x onerror=window.pwned=1><script>window.pwned=2</script>";
		typeArgs("{\"message\": \"" + hostile + "\"}");
		List<String> before = runIds();
		click(By.cssSelector("#start-buttons button[value=reporting-bot]"));

		WebElement run = waitForNewRun(before, "SUCCESS");
		assertThat(run.getText()).contains(hostile).contains("as reporting-bot");
		assertThat(run.findElements(By.tagName("img"))).isEmpty();
		assertThat(run.findElements(By.tagName("script"))).isEmpty();
		assertThat(((JavascriptExecutor) this.browser).executeScript("return window.pwned === undefined")).isEqualTo(true);

		this.browser.get(page() + "#tasks");
		wait(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#task-types tr[data-task='noticeTasks.post'] .last"),
				"SUCCESS"));
		assertThat(((JavascriptExecutor) this.browser).executeScript("return window.pwned === undefined")).isEqualTo(true);
	}

	@Test
	void viewerSeesTasksButCannotStartCancelOrPause() {
		logIn("viewer", this.viewerPassword, 1280, 900);
		open("reportTasks.invoice");
		assertThat(this.browser.findElement(By.id("start-form")).isDisplayed()).isFalse();
		this.browser.get(page() + "#nodes");
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("leader"), "Leader:"));
		assertThat(this.browser.findElements(By.cssSelector("#nodes tbody tr"))).isNotEmpty();
	}

	@Test
	void pageFitsAPhoneScreen() {
		logIn("admin", this.adminPassword, 390, 844);
		open("reportTasks.rebuild");
		typeArgs("{\"customerId\": 5, \"rows\": 10}");
		List<String> before = runIds();
		click(By.id("start-me"));
		waitForNewRun(before, "SUCCESS");

		Object overflow = ((JavascriptExecutor) this.browser)
			.executeScript("return document.documentElement.scrollWidth - window.innerWidth");
		assertThat(((Number) overflow).intValue()).as("page wider than the screen by").isLessThanOrEqualTo(0);
		Chromium.screenshot(this.browser, "admin-phone");
	}

	@Test
	void wrongPasswordIsRefusedAtTheLoginForm() {
		start(1280, 900);
		this.browser.get(page());
		logInAs("admin", "wrong");
		wait(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(".error"), "Wrong user or password"));
		assertThat(this.browser.getCurrentUrl()).contains("/autotask/login");
	}

	private void logIn(String user, String password, int width, int height) {
		start(width, height);
		this.browser.get(page());
		logInAs(user, password);
		wait(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#task-types tbody tr")));
		assertThat(this.browser.findElement(By.id("user")).getText()).isEqualTo(user);
	}

	private void logInAs(String user, String password) {
		wait(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys(user);
		this.browser.findElement(By.id("password")).sendKeys(password);
		this.browser.findElement(By.id("login")).click();
	}

	private void open(String task) {
		click(By.id("nav-tasks"));
		click(By.linkText(task));
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("task-name"), task));
		wait(ExpectedConditions.visibilityOfElementLocated(By.id("refresh")));
	}

	private WebElement args() {
		return this.browser.findElement(By.id("args"));
	}

	private void typeArgs(String json) {
		WebElement field = args();
		field.clear();
		field.sendKeys(json);
	}

	private void click(By by) {
		wait((driver) -> {
			WebElement element = driver.findElement(by);
			if (!element.isDisplayed() || !element.isEnabled()) {
				return false;
			}
			element.click();
			return true;
		});
	}

	/**
	 * The ids of the runs in the history, newest first.
	 */
	@SuppressWarnings("unchecked")
	private List<String> runIds() {
		return (List<String>) ((JavascriptExecutor) this.browser).executeScript(
				"return Array.from(document.querySelectorAll('#history .run')).map((run) => run.dataset.id)");
	}

	/**
	 * Wait until a run that is not among {@code known} shows a status, and return it. The
	 * history is redrawn while a run is active, so elements are found afresh each time.
	 */
	private WebElement waitForNewRun(List<String> known, String status) {
		String id = wait((driver) -> runIds().stream().filter((run) -> !known.contains(run)).findFirst().orElse(null));
		return waitForRun(id, status);
	}

	private WebElement waitForRun(String id, String status) {
		By run = By.cssSelector("#history .run[data-id='" + id + "'][data-status='" + status + "']");
		wait(ExpectedConditions.presenceOfElementLocated(run));
		return this.browser.findElement(run);
	}

	/**
	 * Click a run's action, finding the run again should the history be redrawn meanwhile.
	 */
	private void clickAction(String id, String action) {
		wait((driver) -> {
			driver.findElement(By.cssSelector("#history .run[data-id='" + id + "'] [data-action=" + action + "]")).click();
			return true;
		});
	}

	private <T> T wait(Function<? super WebDriver, T> condition) {
		return new WebDriverWait(this.browser, Duration.ofSeconds(20)).ignoring(StaleElementReferenceException.class)
			.until(condition);
	}

	private void start(int width, int height) {
		Chromium.Session session = Chromium.start(this.port, width, height);
		this.browser = session.driver();
		this.baseUrl = session.baseUrl();
	}

	private String page() {
		return this.baseUrl + "/autotask/";
	}

}
