package dev.autotask.schedule;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/**
 * Tests for {@link Every}.
 */
class EveryTests {

	@Test
	void nextAfterAddsThePeriod() {
		Every every = Every.of(Duration.ofMinutes(5));
		assertThat(every.period()).isEqualTo(Duration.ofMinutes(5));
		assertThat(every.nextAfter(Instant.parse("2026-01-01T00:00:00Z"))).isEqualTo("2026-01-01T00:05:00Z");
		assertThat(every.nextAfter(Instant.parse("2026-12-31T23:58:00.5Z"))).isEqualTo("2027-01-01T00:03:00.5Z");
	}

	@Test
	void oneSecondIsTheShortestPeriod() {
		Every every = Every.of(Duration.ofSeconds(1));
		assertThat(every.nextAfter(Instant.parse("2026-01-01T00:00:00Z"))).isEqualTo("2026-01-01T00:00:01Z");
	}

	@Test
	void longPeriod() {
		Every every = Every.of(Duration.ofDays(7));
		assertThat(every.nextAfter(Instant.parse("2026-02-26T10:00:00Z"))).isEqualTo("2026-03-05T10:00:00Z");
	}

	@Test
	void periodIsElapsedTimeAcrossDaylightSaving() {
		// Stockholm falls back at 2026-10-25T01:00Z; an hourly period does not care
		Every every = Every.of(Duration.ofHours(1));
		assertThat(every.nextAfter(Instant.parse("2026-10-25T00:30:00Z"))).isEqualTo("2026-10-25T01:30:00Z");
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "PT0S", "PT-1S", "PT0.999S", "PT0.000000001S", "PT-24H" })
	void rejectsPeriodShorterThanOneSecond(String period) {
		assertThatIllegalArgumentException().isThrownBy(() -> Every.of(Duration.parse(period)))
			.withMessage("Period must be at least 1 second (PT1S) but was %s", period);
	}

	@Test
	void rejectsNullPeriod() {
		assertThatNullPointerException().isThrownBy(() -> Every.of(null)).withMessageContaining("period");
	}

	@Test
	void equalsHashCodeAndToString() {
		Every every = Every.of(Duration.ofMinutes(60));
		assertThat(every).isEqualTo(Every.of(Duration.ofHours(1))).hasSameHashCodeAs(Every.of(Duration.ofHours(1)));
		assertThat(every).isNotEqualTo(Every.of(Duration.ofMinutes(59)));
		assertThat(every).hasToString("every PT1H");
	}

}
