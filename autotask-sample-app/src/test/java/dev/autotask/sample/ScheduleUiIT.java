package dev.autotask.sample;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Function;

import dev.autotask.boot.testsupport.ApplicationDatabase;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.remote.RemoteWebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Schedules created at run time from the admin page, in a real headless Chromium against the
 * sample: the declared ones are listed, an admin creates one with the form (a bad one is refused
 * with the server's reason), pauses it and deletes it; an edit that the server refuses shows its
 * reason next to the form, and one it takes changes the next fire shown.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "sample.admin-password=schedule-ui-test", "sample.viewer-password=viewer-ui-test" })
class ScheduleUiIT {

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
		postgres.jdbc().sql("DELETE FROM " + postgres.schema() + ".autotask_runtime_schedule").update();
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
	void adminCreatesPausesAndDeletesAScheduleFromThePage() {
		logIn();
		wait(ExpectedConditions.visibilityOfElementLocated(
				By.cssSelector("#schedules tr[data-schedule='housekeepingTasks.refreshRates'] .badge")));

		fill("bad", "0 25 * * *", "[42]");
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("schedule-error"), "hour"));
		// The refused request's 400 in the console is the one expected.
		assertThat(Chromium.consoleErrors(this.browser)).allSatisfy((error) -> assertThat(error).contains("400"));

		fill("invoice-42", "0 2 * * *", "[42]");
		By row = By.cssSelector("#schedules tr[data-schedule='invoice-42']");
		wait(ExpectedConditions.textToBePresentInElementLocated(row, "0 2 * * * Europe/Stockholm"));
		assertThat(this.browser.findElement(row).getText()).contains("reportTasks.invoice").contains("[42]");
		assertThat(this.browser.findElement(By.id("schedule-error")).isDisplayed()).isFalse();
		assertThat(stored()).containsExactly("invoice-42 reportTasks.invoice [42] false");
		this.browser.executeScript("document.getElementById('schedules-panel').scrollIntoView()");
		Chromium.screenshot(this.browser, "admin-schedules");

		this.browser.findElement(row).findElement(By.cssSelector("[data-action=pause]")).click();
		wait(ExpectedConditions
			.visibilityOfElementLocated(By.cssSelector("#schedules tr[data-schedule='invoice-42'] .badge.paused")));
		assertThat(stored()).containsExactly("invoice-42 reportTasks.invoice [42] true");

		wait(ExpectedConditions.elementToBeClickable(
				By.cssSelector("#schedules tr[data-schedule='invoice-42'] [data-action=delete]"))).click();
		this.browser.switchTo().alert().accept();
		wait(ExpectedConditions.invisibilityOfElementLocated(row));
		assertThat(stored()).isEmpty();
	}

	@Test
	void adminEditsAScheduleAndSeesItsNextFireChange() {
		logIn();
		fill("invoice-7", "0 2 * * *", "[7]");
		By row = By.cssSelector("#schedules tr[data-schedule='invoice-7']");
		wait(ExpectedConditions.textToBePresentInElementLocated(row, "0 2 * * * Europe/Stockholm"));
		Instant before = nextFire(row);
		assertThat(before.atZone(ZoneId.of("Europe/Stockholm")).getHour()).isEqualTo(2);

		this.browser.findElement(row).findElement(By.cssSelector("[data-action=edit]")).click();
		WebElement form = wait(ExpectedConditions.visibilityOfElementLocated(By.id("schedule-edit-form")));
		WebElement expression = form.findElement(By.name("expression"));
		assertThat(expression.getAttribute("value")).isEqualTo("0 2 * * *");
		assertThat(form.findElement(By.name("zone")).getAttribute("value")).isEqualTo("Europe/Stockholm");
		assertThat(form.findElement(By.name("args")).getAttribute("value")).isEqualTo("[7]");
		assertThat(this.browser.switchTo().activeElement()).as("focus on opening").isEqualTo(expression);

		expression.clear();
		expression.sendKeys("0 25 * * *");
		form.findElement(By.id("schedule-save")).click();
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("schedule-edit-error"), "hour"));
		this.browser.executeScript("document.getElementById('schedule-edit').scrollIntoView()");
		Chromium.screenshot(this.browser, "admin-schedule-edit");
		assertThat(Chromium.consoleErrors(this.browser)).allSatisfy((error) -> assertThat(error).contains("400"));
		assertThat(stored()).containsExactly("invoice-7 reportTasks.invoice [7] false");

		expression.clear();
		expression.sendKeys("30 4 * * *");
		WebElement zone = form.findElement(By.name("zone"));
		zone.clear();
		zone.sendKeys("UTC");
		WebElement args = form.findElement(By.name("args"));
		args.clear();
		args.sendKeys("[9]");
		form.findElement(By.id("schedule-save")).click();
		wait(ExpectedConditions.textToBePresentInElementLocated(row, "30 4 * * * UTC"));
		wait(ExpectedConditions.invisibilityOfElementLocated(By.id("schedule-edit")));
		Instant after = nextFire(row);
		assertThat(after).isNotEqualTo(before);
		assertThat(after.atZone(ZoneOffset.UTC).toLocalTime()).isEqualTo(LocalTime.of(4, 30));
		assertThat(after).isBetween(Instant.now(), Instant.now().plus(Duration.ofDays(1)));
		assertThat(this.browser.findElement(row).getText()).contains("[9]");
		assertThat(stored()).containsExactly("invoice-7 reportTasks.invoice [9] false");
	}

	private Instant nextFire(By row) {
		return Instant.parse(this.browser.findElement(row).findElement(By.cssSelector("td.next-fire"))
			.getAttribute("data-next-fire"));
	}

	private void fill(String name, String cron, String args) {
		WebElement form = wait(ExpectedConditions.visibilityOfElementLocated(By.id("schedule-form")));
		for (String field : List.of("name", "task", "expression", "zone", "args")) {
			form.findElement(By.name(field)).clear();
		}
		form.findElement(By.name("name")).sendKeys(name);
		form.findElement(By.name("task")).sendKeys("reportTasks.invoice");
		new Select(form.findElement(By.name("kind"))).selectByValue("cron");
		form.findElement(By.name("expression")).sendKeys(cron);
		form.findElement(By.name("zone")).sendKeys("Europe/Stockholm");
		form.findElement(By.name("args")).sendKeys(args);
		form.findElement(By.id("schedule-create")).click();
	}

	private List<String> stored() {
		return postgres.jdbc()
			.sql("SELECT name || ' ' || task || ' ' || args::text || ' ' || paused FROM " + postgres.schema()
					+ ".autotask_runtime_schedule ORDER BY name")
			.query(String.class)
			.list();
	}

	private void logIn() {
		this.session = Chromium.start(this.port, 1280, 900);
		this.browser = this.session.driver();
		this.session.logIn("admin", this.adminPassword);
	}

	private <T> T wait(Function<? super WebDriver, T> condition) {
		return this.session.until(condition);
	}

}
