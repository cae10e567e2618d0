package dev.autotask.sample;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import dev.autotask.boot.testsupport.ApplicationDatabase;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.remote.RemoteWebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The admin page's task console in a real headless Chromium against the sample: find failures
 * across all tasks, filter them by their error, open one to see why it failed, retry a thousand
 * at once after confirming their count, and use it at phone width and from the keyboard.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "sample.admin-password=console-ui-test", "sample.viewer-password=viewer-ui-test" })
class ConsoleUiIT {

	private static final String OWNER = "sample-shop";

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
	void emptyTable() {
		postgres.jdbc().sql("DELETE FROM " + table()).update();
	}

	@AfterEach
	void closeBrowser() {
		if (this.browser != null) {
			List<String> errors = Chromium.consoleErrors(this.browser);
			this.browser.quit();
			assertThat(errors).as("errors in the browser console").isEmpty();
		}
	}

	@Test
	void failuresAreFoundAcrossTasksFilteredByTheirErrorAndOpenedToSeeWhy() {
		failures("reportTasks.invoice", "[8]", "Quota exceeded for customer 8", 1);
		failures("reportTasks.syncPartner", "[0.5]", "Partner answered 503", 2);
		logIn(1280, 900);

		// Failures only: the sample's own periodic task, which may run meanwhile, succeeds.
		this.browser.get(page() + "#search?status=FAILURE");
		wait(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#search-results tbody tr"), 3));
		assertThat(text(By.cssSelector("#search-counts [data-status=FAILURE]"))).contains("3");

		WebElement error = this.browser.findElement(By.name("error"));
		error.sendKeys("quota");
		click(By.id("search-run"));
		wait(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#search-results tbody tr"), 1));
		assertThat(this.browser.getCurrentUrl()).contains("error=quota");
		assertThat(text(By.cssSelector("#search-results tbody tr"))).contains("reportTasks.invoice")
			.contains("Quota exceeded for customer 8");

		click(By.cssSelector("#search-results tbody tr"));
		wait(ExpectedConditions.visibilityOfElementLocated(By.id("search-detail")));
		click(By.cssSelector("#search-detail details summary"));
		assertThat(text(By.id("search-detail"))).contains("Quota exceeded for customer 8")
			.contains("at dev.autotask.sample.Billing.charge");
		Chromium.screenshot(this.browser, "admin-search");
	}

	@Test
	void aThousandFailuresAreRetriedAtOnceAfterTheirCountIsConfirmedAndTheyRun() {
		// Customer 8 has a billing address now: every retry succeeds.
		failures("reportTasks.invoice", "[8]", "Billing was down", 1_000);
		failures("reportTasks.rebuild", "[1, 1]", "Not this one", 3);
		logIn(1280, 900);

		this.browser.get(page() + "#search?status=FAILURE&name=reportTasks.invoice");
		WebElement retryAll = wait(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-bulk=retry]")));
		wait(ExpectedConditions.textToBePresentInElement(retryAll, "Retry all 1,000"));
		retryAll.click();

		Alert confirm = wait(ExpectedConditions.alertIsPresent());
		assertThat(confirm.getText()).contains("1,000");
		confirm.accept();

		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("toast"), "1,000 of 1,000 task(s) retried"));
		await().atMost(Duration.ofSeconds(60)).until(() -> count("reportTasks.invoice", "SUCCESS") == 1_000);
		assertThat(count("reportTasks.rebuild", "FAILURE")).isEqualTo(3);
	}

	@Test
	void consoleFitsAPhoneAndItsRowsOpenFromTheKeyboard() {
		failures("reportTasks.invoice", "[8]", "Quota exceeded for customer 8", 2);
		logIn(390, 844);

		// The sample's own periodic task may have run meanwhile: only the invoices are looked at.
		this.browser.get(page() + "#search?name=reportTasks.invoice");
		wait(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#search-results tbody tr"), 2));
		WebElement row = this.browser.findElement(By.cssSelector("#search-results tbody tr"));
		row.sendKeys(Keys.ENTER);
		wait(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#search-detail [data-action=retry]")));

		Object overflow = ((JavascriptExecutor) this.browser)
			.executeScript("return document.documentElement.scrollWidth - window.innerWidth");
		assertThat(((Number) overflow).intValue()).as("page wider than the screen by").isLessThanOrEqualTo(0);
		Chromium.screenshot(this.browser, "admin-search-phone");
	}

	private void failures(String name, String args, String message, int count) {
		postgres.jdbc()
			.sql("INSERT INTO " + table() + " (name, owner, args, status, attempt, max_attempts, ttl, started_at,"
					+ " finished_at, expires_at, node_id, error_search, error) SELECT :name, :owner, CAST(:args AS jsonb), 'FAILURE', 4, 4,"
					+ " interval '1 hour', now(), now(), now() + interval '1 hour', 'gone', left(lower(CAST(:message AS text)), 500), jsonb_build_object('type',"
					+ " 'dev.autotask.TaskFailure', 'message', CAST(:message AS text), 'stackTrace', 'dev.autotask.TaskFailure: '"
					+ " || CAST(:message AS text) || E'\\n\\tat dev.autotask.sample.Billing.charge(Billing.java:42)')"
					+ " FROM generate_series(1, :count)")
			.param("name", name)
			.param("owner", OWNER)
			.param("args", args)
			.param("message", message)
			.param("count", count)
			.update();
	}

	private long count(String name, String status) {
		return postgres.jdbc()
			.sql("SELECT count(*) FROM " + table() + " WHERE name = ? AND status = ?")
			.params(name, status)
			.query(Long.class)
			.single();
	}

	private static String table() {
		return postgres.schema() + ".autotask_task";
	}

	private void logIn(int width, int height) {
		this.session = Chromium.start(this.port, width, height);
		this.browser = this.session.driver();
		this.session.logIn("admin", this.adminPassword);
	}

	private String text(By by) {
		return this.browser.findElement(by).getText();
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

	private <T> T wait(Function<? super WebDriver, T> condition) {
		return this.session.until(condition);
	}

	private String page() {
		return this.session.page();
	}

}
