package dev.autotask.sample;

import java.util.function.Function;
import java.time.Duration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;

import dev.autotask.testsupport.DebianPackages;
import dev.autotask.testsupport.Docker;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.By;
import org.openqa.selenium.BuildInfo;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.remote.RemoteWebDriver;
import org.testcontainers.Testcontainers;
import org.testcontainers.selenium.BrowserWebDriverContainer;

/**
 * A headless Chromium for the browser tests, found the way the tests find PostgreSQL: the one
 * the environment names ({@code CHROME_BIN} and {@code CHROMEDRIVER}) or Debian's
 * {@code chromium} and {@code chromium-driver}; else a browser in a Testcontainers container
 * when a Docker engine answers; else Debian's packages, installed by the tests themselves where
 * they run as root with {@code apt-get} (a fresh CI machine). Where none of these can be had,
 * the test fails with a message that says how to get one; it never skips.
 */
final class Chromium {

	private static final String BINARY = System.getenv().getOrDefault("CHROME_BIN", "/usr/bin/chromium");

	private static final String DRIVER = System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver");

	// The name under which a browser in a container reaches the ports this machine exposes to it.
	private static final String CONTAINER_HOST = "host.testcontainers.internal";

	private static BrowserWebDriverContainer container;

	private Chromium() {
	}

	/**
	 * A browser and the address at which it reaches the application under test.
	 * @param driver the browser
	 * @param baseUrl the application's root, without a trailing slash
	 */
	record Session(RemoteWebDriver driver, String baseUrl) {

		/**
		 * The admin page's address as the browser reaches it.
		 * @return the address
		 */
		String page() {
			return this.baseUrl + "/autotask/";
		}

		/**
		 * Wait, up to 20 s, until a condition holds, looking again when the page redrew what it
		 * looked at.
		 * @param condition the condition
		 * @param <T> what it gives once it holds
		 * @return what it gave
		 */
		<T> T until(Function<? super WebDriver, T> condition) {
			return new WebDriverWait(this.driver, Duration.ofSeconds(20)).ignoring(StaleElementReferenceException.class)
				.until(condition);
		}

		/**
		 * Open the admin page and log in through its form, until the registered tasks show.
		 * @param user the user
		 * @param password the password
		 */
		void logIn(String user, String password) {
			this.driver.get(page());
			until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys(user);
			this.driver.findElement(By.id("password")).sendKeys(password);
			this.driver.findElement(By.id("login")).click();
			until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#task-types tbody tr")));
		}

	}

	/**
	 * Start a browser for an application listening on a port of this machine.
	 * @param port the application's port
	 * @param width the window's width
	 * @param height the window's height
	 * @return the browser, and the application's address as the browser sees it
	 */
	static Session start(int port, int width, int height) {
		ChromeOptions options = options(width, height);
		if (!localBrowser() && Docker.available()) {
			return inContainer(port, options, width, height);
		}
		if (!localBrowser() && DebianPackages.canInstall()) {
			DebianPackages.install("the admin page's browser tests", "chromium", "chromium-driver");
		}
		if (!localBrowser()) {
			throw new IllegalStateException(BINARY + " or " + DRIVER + " is missing and no Docker engine answers: the"
					+ " admin page's browser tests need 'apt-get install -y chromium chromium-driver' (or CHROME_BIN"
					+ " and CHROMEDRIVER set to a Chromium and its driver)");
		}
		options.setBinary(BINARY);
		// Paths given explicitly, so that Selenium Manager never looks for a browser online.
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(Path.of(DRIVER).toFile())
			.usingAnyFreePort()
			.build();
		return sized(new Session(new ChromeDriver(service, options), "http://localhost:" + port), width, height);
	}

	private static Session inContainer(int port, ChromeOptions options, int width, int height) {
		synchronized (Chromium.class) {
			if (container == null) {
				// The image of the Selenium release on the class path, which its client speaks to.
				String image = "selenium/standalone-chrome:" + new BuildInfo().getReleaseLabel();
				container = new BrowserWebDriverContainer(image).withAccessToHost(true);
				container.start();
				Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
			}
		}
		Testcontainers.exposeHostPorts(port);
		RemoteWebDriver driver = new RemoteWebDriver(container.getSeleniumAddress(), options);
		return sized(new Session(driver, "http://" + CONTAINER_HOST + ":" + port), width, height);
	}

	private static Session sized(Session session, int width, int height) {
		session.driver().manage().window().setSize(new Dimension(width, height));
		return session;
	}

	private static ChromeOptions options(int width, int height) {
		Path profile;
		try {
			profile = Files.createTempDirectory("autotask-chromium");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		ChromeOptions options = new ChromeOptions();
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
				"--no-first-run", "--user-data-dir=" + profile, "--window-size=" + width + "," + height);
		LoggingPreferences logs = new LoggingPreferences();
		logs.enable(LogType.BROWSER, Level.ALL);
		options.setCapability("goog:loggingPrefs", logs);
		return options;
	}

	private static boolean localBrowser() {
		return Files.isExecutable(Path.of(BINARY)) && Files.isExecutable(Path.of(DRIVER));
	}

	/**
	 * The errors the page's console logged since the last call.
	 * @param driver the browser
	 * @return the messages of SEVERE entries
	 */
	static List<String> consoleErrors(RemoteWebDriver driver) {
		return driver.manage()
			.logs()
			.get(LogType.BROWSER)
			.getAll()
			.stream()
			.filter((entry) -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
			.map(LogEntry::getMessage)
			.toList();
	}

	/**
	 * Save a screenshot under {@code target/screenshots}, or under the directory the system
	 * property {@code autotask.screenshots} names (the pictures in docs/rest-api.md are made with
	 * {@code -Dautotask.screenshots=../docs}).
	 * @param driver the browser
	 * @param name the file name, without ".png"
	 */
	static void screenshot(RemoteWebDriver driver, String name) {
		Path dir = Path.of(System.getProperty("autotask.screenshots", "target/screenshots"));
		try {
			Files.createDirectories(dir);
			Files.write(dir.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
