package dev.autotask.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The last resort of a test that needs a program no other way gave it (a browser, a connection
 * pooler): install it from Debian's packages, as a fresh CI machine needs, so that the README's
 * one test command passes there with nothing installed by hand. Only where that is plainly
 * possible: a Linux machine with {@code apt-get}, on which the tests run as root. Anywhere else
 * (a laptop, a non-root user) nothing is installed and the caller fails, naming the command.
 */
public final class DebianPackages {

	private static final Path APT_GET = Path.of("/usr/bin/apt-get");

	private static boolean updated;

	private DebianPackages() {
	}

	/**
	 * Whether this machine lets the tests install packages themselves.
	 * @return true on a Linux machine with {@code apt-get}, as root
	 */
	public static boolean canInstall() {
		return Files.isExecutable(APT_GET) && "root".equals(System.getProperty("user.name"));
	}

	/**
	 * Install packages, saying so on standard error.
	 * @param purpose what the tests need them for, for the log
	 * @param packages the Debian package names
	 * @throws IllegalStateException if the machine cannot install, or apt-get fails
	 */
	public static synchronized void install(String purpose, String... packages) {
		if (!canInstall()) {
			throw new IllegalStateException("cannot install " + String.join(" ", packages)
					+ " here: the tests install packages themselves only as root on a machine with apt-get");
		}
		System.err.println("[autotask tests] installing Debian's " + String.join(" ", packages) + " for " + purpose);
		if (!updated) {
			run(List.of(APT_GET.toString(), "update", "-qq"));
			updated = true;
		}
		List<String> command = new ArrayList<>(List.of(APT_GET.toString(), "install", "-y", "-qq", "-o",
				"DPkg::Lock::Timeout=300"));
		command.addAll(List.of(packages));
		run(command);
	}

	private static void run(List<String> command) {
		try {
			ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
			builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
			Process process = builder.start();
			byte[] output = process.getInputStream().readAllBytes();
			if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
				process.destroyForcibly();
				throw new IllegalStateException(String.join(" ", command) + " failed:\n"
						+ new String(output, StandardCharsets.UTF_8));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while running " + String.join(" ", command), ex);
		}
	}

}
