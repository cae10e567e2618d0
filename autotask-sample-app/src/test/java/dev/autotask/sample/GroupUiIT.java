package dev.autotask.sample;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import dev.autotask.Autotask;
import dev.autotask.SendOptions;
import dev.autotask.TaskGroup;
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

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin page's groups in a real headless Chromium against the sample: a small group of
 * invoices, one of which fails, is seen to complete in the groups view with its failure in red
 * and its callback's success; the group opens on its counts, leads to its failed member in the
 * task console, whose detail leads back to the group; and the view fits a phone and is used from
 * the keyboard.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "sample.admin-password=group-ui-test", "sample.viewer-password=viewer-ui-test" })
class GroupUiIT {

	private static final String OWNER = "sample-shop";

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

	@BeforeEach
	void emptyTables() {
		postgres.jdbc().sql("DELETE FROM " + postgres.schema() + ".autotask_group").update();
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
	void aGroupIsSeenToCompleteAndLeadsToItsFailedMemberAndBack() {
		logIn(1280, 900);
		this.browser.get(page() + "#groups");
		wait(ExpectedConditions.visibilityOfElementLocated(By.id("groups-empty")));

		// Customer 3 has no billing address: its invoice fails at once.
		TaskGroup group = sendInvoices(2, 3, 4);
		By row = By.cssSelector("#groups tr[data-group='" + group.id() + "']");
		// The view refreshes itself until the group is done and its callback has run.
		wait(ExpectedConditions.textToBePresentInElementLocated(row, "SUCCESS"));
		WebElement done = this.browser.findElement(row);
		assertThat(done.getAttribute("data-done")).isEqualTo("true");
		assertThat(done.findElement(By.cssSelector(".group-ended")).getText()).isEqualTo("3 / 3");
		assertThat(done.findElement(By.cssSelector("td.failed.bad")).getText()).isEqualTo("1");
		assertThat(done.findElement(By.cssSelector("svg.group-bar")).getAttribute("aria-label"))
			.isEqualTo("3 of 3 ended, 1 failed");
		assertThat(done.findElements(By.cssSelector("svg.group-bar rect.bad"))).hasSize(1);
		Chromium.screenshot(this.browser, "admin-groups");

		done.findElement(By.linkText("Group #" + group.id())).click();
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("group-state"), "Done"));
		assertThat(count("succeeded")).isEqualTo("2");
		assertThat(count("failed")).isEqualTo("1");
		assertThat(this.browser.findElement(By.id("group-callback")).getText()).contains("SUCCESS");
		Chromium.screenshot(this.browser, "admin-group");

		this.browser.findElement(By.id("group-failed")).click();
		wait(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#search-results tbody tr"), 1));
		assertThat(this.browser.findElement(By.name("group")).getAttribute("value"))
			.isEqualTo(String.valueOf(group.id()));
		WebElement member = this.browser.findElement(By.cssSelector("#search-results tbody tr"));
		assertThat(member.getAttribute("data-status")).isEqualTo("FAILURE");
		assertThat(member.getText()).contains("reportTasks.invoice");
		member.click();
		wait(ExpectedConditions.elementToBeClickable(By.cssSelector("#search-detail a[data-group]"))).click();
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("group-title"), "Group #" + group.id()));

		this.browser.findElement(By.id("group-members")).click();
		wait(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#search-results tbody tr"), 3));
	}

	@Test
	void groupsFitAPhoneAndOpenFromTheKeyboard() {
		TaskGroup group = sendInvoices(2, 4);
		logIn(390, 844);
		this.browser.get(page() + "#groups");
		By link = By.cssSelector("#groups tr[data-group='" + group.id() + "'] a");
		wait(ExpectedConditions.textToBePresentInElementLocated(
				By.cssSelector("#groups tr[data-group='" + group.id() + "']"), "SUCCESS"));
		assertThat(overflow()).as("page wider than the screen by").isLessThanOrEqualTo(0);
		Chromium.screenshot(this.browser, "admin-groups-phone");

		tabTo(link).sendKeys(Keys.ENTER);
		wait(ExpectedConditions.textToBePresentInElementLocated(By.id("group-state"), "Done"));
		assertThat(overflow()).as("group page wider than the screen by").isLessThanOrEqualTo(0);
		tabTo(By.id("group-members")).sendKeys(Keys.ENTER);
		wait(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#search-results tbody tr"), 2));
	}

	private TaskGroup sendInvoices(long... customers) {
		List<Object[]> args = Arrays.stream(customers).mapToObj((customer) -> new Object[] { customer })
			.toList();
		return this.autotask.sendGroup("reportTasks.invoice", SendOptions.owner(OWNER), args,
				"reportTasks.invoicesDone");
	}

	private String count(String name) {
		return this.browser.findElement(By.cssSelector("#group-counts dd[data-count='" + name + "']")).getText();
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
