package dev.autotask;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package rules of autotask, on the compiled classes of core, the starter and the sample
 * (this module's class path holds all three). Adapted from Spring Boot's
 * {@code ArchitectureRules}: the public API is enforced, not just documented.
 */
class ArchitectureTests {

	private static final String INTERNAL = "dev.autotask.internal..";

	private static final String[] OUTSIDE_CORE = { "dev.autotask.boot..", "dev.autotask.sample.." };

	private static final String[] CORE = { "dev.autotask", "dev.autotask.annotation..", "dev.autotask.engine..",
			"dev.autotask.internal..", "dev.autotask.retry..", "dev.autotask.schedule..", "dev.autotask.task..",
			"dev.autotask.test.." };

	private static JavaClasses classes;

	@BeforeAll
	static void importClasses() {
		classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			// Core's test jar (its test support, on this module's test class path) is tests too.
			.withImportOption((location) -> !location.contains("-tests.jar"))
			.importPackages("dev.autotask");
		// Core and the starter come as jars or as directories, depending on how far Maven built
		// them: without them every rule below would pass on nothing.
		assertThat(classes.containPackage("dev.autotask.internal.jdbc")).isTrue();
		assertThat(classes.containPackage("dev.autotask.boot.autoconfigure")).isTrue();
	}

	@Test
	void nothingOutsideCoreUsesItsInternals() {
		check(noClasses().that()
			.resideInAnyPackage(OUTSIDE_CORE)
			.should()
			.dependOnClassesThat()
			.resideInAPackage(INTERNAL)
			.because("dev.autotask.internal is not API: the starter and applications use Autotask, Engine and "
					+ "the other public types"));
	}

	@Test
	void theBenchmarkUsesNoInternalsEither() throws IOException {
		// The bench is built after this module and is no dependency of it: its sources are read instead.
		Path bench = Path.of("..", "autotask-bench", "src", "main", "java");
		assertThat(bench).isDirectory();
		try (Stream<Path> files = Files.walk(bench)) {
			List<Path> offenders = files.filter((file) -> file.toString().endsWith(".java"))
				.filter((file) -> read(file).contains("dev.autotask.internal"))
				.toList();
			assertThat(offenders).as("bench sources that use dev.autotask.internal").isEmpty();
		}
	}

	@Test
	void coreDoesNotDependOnSpringBoot() {
		check(noClasses().that()
			.resideInAnyPackage(CORE)
			.should()
			.dependOnClassesThat()
			.resideInAPackage("org.springframework.boot..")
			.because("core runs without Spring Boot; the starter adapts it"));
	}

	@Test
	void theSqlOfTheTablesDoesNotDependOnTheEngine() {
		check(noClasses().that()
			.resideInAPackage("dev.autotask.internal.jdbc..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.autotask.engine..", "dev.autotask.internal.engine..",
					"dev.autotask.internal.supervisor..", "dev.autotask.internal.outbox.."));
	}

	@Test
	void sqlIsRunOnlyByTheTableClasses() {
		// The one exception: the notifier's LISTEN, on a connection it holds for as long as it runs.
		check(noClasses().that()
			.resideOutsideOfPackage("dev.autotask.internal.jdbc..")
			.and()
			.doNotHaveFullyQualifiedName("dev.autotask.internal.engine.Notifier")
			.should()
			.dependOnClassesThat()
			.haveFullyQualifiedName("org.springframework.jdbc.core.simple.JdbcClient")
			.orShould()
			.dependOnClassesThat()
			.haveFullyQualifiedName("org.springframework.jdbc.core.JdbcTemplate")
			.orShould()
			.dependOnClassesThat()
			.haveFullyQualifiedName("org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate")
			.orShould()
			.callMethod(java.sql.Connection.class, "prepareStatement", String.class)
			.orShould()
			.callMethod(java.sql.Connection.class, "createStatement")
			.because("SQL lives in one class per table, in dev.autotask.internal.jdbc"));
	}

	@Test
	void packagesHaveNoCyclesBesidesTheEngineFacade() {
		// Engine and its builder are the one way into the internals, which take the public settings and
		// observer: that edge back is by design. Any other cycle is not.
		check(slices().matching("dev.autotask.(**)")
			.should()
			.beFreeOfCycles()
			.ignoreDependency(describe("the Engine facade",
					(JavaClass type) -> type.getName().matches("dev\\.autotask\\.engine\\.Engine(\\$.*)?")),
					resideInAnyPackage(INTERNAL)));
	}

	@Test
	void theSampleUsesOnlyTheApi() {
		check(noClasses().that()
			.resideInAPackage("dev.autotask.sample..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage(INTERNAL, "dev.autotask.engine..", "dev.autotask.task..")
			.because("the sample shows what an application writes: annotations, Autotask and its types"));
	}

	private static void check(ArchRule rule) {
		rule.check(classes);
	}

	private static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not read " + file, ex);
		}
	}

}
