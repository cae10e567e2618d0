package dev.autotask.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;

import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * A headless Chromium for the browser tests: Debian's {@code chromium} and
 * {@code chromium-driver} ({@code .ci/run} installs them), or those named by the environment
 * variables {@code CHROME_BIN} and {@code CHROMEDRIVER}. A missing browser fails the test with
 * a message that says how to install it; it never skips.
 */
final class Chromium {

	private static final String BINARY = System.getenv().getOrDefault("CHROME_BIN", "/usr/bin/chromium");

	private static final String DRIVER = System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver");

	private Chromium() {
	}

	static ChromeDriver start(int width, int height) {
		for (String file : new String[] { BINARY, DRIVER }) {
			if (!Files.isExecutable(Path.of(file))) {
				throw new IllegalStateException(file + " is missing: the admin page's browser tests need "
						+ "'apt-get install -y chromium chromium-driver' (or CHROME_BIN and CHROMEDRIVER set)");
			}
		}
		Path profile;
		try {
			profile = Files.createTempDirectory("autotask-chromium");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		ChromeOptions options = new ChromeOptions();
		// Paths given explicitly, so that Selenium Manager never looks for a browser online.
		options.setBinary(BINARY);
		options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
				"--no-first-run", "--user-data-dir=" + profile, "--window-size=" + width + "," + height);
		LoggingPreferences logs = new LoggingPreferences();
		logs.enable(LogType.BROWSER, Level.ALL);
		options.setCapability("goog:loggingPrefs", logs);
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(Path.of(DRIVER).toFile())
			.usingAnyFreePort()
			.build();
		ChromeDriver driver = new ChromeDriver(service, options);
		driver.manage().window().setSize(new Dimension(width, height));
		return driver;
	}

	/**
	 * The errors the page's console logged since the last call.
	 * @param driver the browser
	 * @return the messages of SEVERE entries
	 */
	static List<String> consoleErrors(ChromeDriver driver) {
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
	 * property {@code autotask.screenshots} names (the README's pictures are made with
	 * {@code -Dautotask.screenshots=../docs}).
	 * @param driver the browser
	 * @param name the file name, without ".png"
	 */
	static void screenshot(ChromeDriver driver, String name) {
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
