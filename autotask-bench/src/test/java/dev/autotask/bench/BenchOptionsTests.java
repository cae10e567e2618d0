package dev.autotask.bench;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BenchOptionsTests {

	@Test
	void soakDefaultsToHalfAnHourAtSeventyPercentWithATwoMinuteTtl() {
		SoakOptions soak = BenchOptions.parse(new String[0]).soak();
		assertThat(soak.duration()).isEqualTo(Duration.ofMinutes(30));
		assertThat(soak.resultTtl()).isEqualTo(Duration.ofMinutes(2));
		assertThat(soak.load()).isEqualTo(0.7);
		assertThat(soak.rate()).isZero();
		assertThat(soak.plot()).isEqualTo(Path.of("target/soak.png"));
		assertThat(soak.jdbcUrl()).isEmpty();
		assertThat(soak.settled()).isEqualTo(Duration.ofMinutes(4));
		assertThat(soak.budget()).isEqualTo(200_000);
	}

	@Test
	void soakTakesItsArguments() {
		SoakOptions soak = BenchOptions.parse(new String[] { "--soak-duration=PT3M", "--soak-ttl=PT1M",
				"--soak-clean-interval=PT20S", "--soak-rate=5_000", "--soak-plot=docs/soak.png", "--soak-budget=0" })
			.soak();
		assertThat(soak.duration()).isEqualTo(Duration.ofMinutes(3));
		assertThat(soak.rate()).isEqualTo(5000);
		assertThat(soak.plot()).isEqualTo(Path.of("docs/soak.png"));
		assertThat(soak.settled()).isEqualTo(Duration.ofSeconds(100));
		assertThat(soak.budget()).isZero();
	}

	@Test
	void aSoakAloneOpensNoSubject() {
		assertThat(BenchOptions.parse(new String[] { "--measurements=soak" }).needsSubjects()).isFalse();
		assertThat(BenchOptions.parse(new String[] { "--measurements=drain,soak" }).needsSubjects()).isTrue();
		assertThat(BenchOptions.parse(new String[0]).needsSubjects()).isTrue();
	}

}
