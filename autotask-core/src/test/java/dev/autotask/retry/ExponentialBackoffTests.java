package dev.autotask.retry;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link ExponentialBackoff}. The jitter is random, so each property is checked over
 * many draws; the delay is rounded to the millisecond, which is why the upper bound is
 * inclusive.
 */
class ExponentialBackoffTests {

	private static final int DRAWS = 1000;

	private final ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofSeconds(1), Duration.ofHours(1));

	@ParameterizedTest
	@ValueSource(ints = { 1, 2, 3, 4, 5, 6 })
	void doublesAfterEachAttemptWithinQuarterJitter(int attempt) {
		long base = 1000L << (attempt - 1);

		List<Long> delays = draw(this.backoff, attempt);

		assertThat(delays).allSatisfy((delay) -> assertThat(delay).isBetween(base * 3 / 4, base * 5 / 4));
	}

	@Test
	void jitterSpreadsDelaysOverTheWholeRange() {
		List<Long> delays = draw(this.backoff, 1);

		// Each bound is missed by 9 draws in 10: all 1,000 missing it has odds of about 1 in 10^45.
		assertThat(delays.stream().mapToLong(Long::longValue).min().getAsLong()).isLessThan(800);
		assertThat(delays.stream().mapToLong(Long::longValue).max().getAsLong()).isGreaterThan(1200);
	}

	@Test
	void stopsDoublingAtTheCeilingAndKeepsTheJitterThere() {
		ExponentialBackoff capped = new ExponentialBackoff(Duration.ofSeconds(1), Duration.ofMinutes(1));

		// 2^6 s already passes the one-minute ceiling.
		for (int attempt : new int[] { 7, 8, 20, 31 }) {
			assertThat(draw(capped, attempt)).allSatisfy((delay) -> assertThat(delay).isBetween(45_000L, 75_000L));
		}
	}

	@ParameterizedTest
	@ValueSource(ints = { 31, 32, 63, 64, 1000, Integer.MAX_VALUE })
	void doesNotOverflowForHugeAttemptNumbers(int attempt) {
		long max = Duration.ofHours(1).toMillis();

		assertThat(draw(this.backoff, attempt))
			.allSatisfy((delay) -> assertThat(delay).isBetween(max * 3 / 4, max * 5 / 4));
	}

	@Test
	void zeroInitialDelayRetriesAtOnce() {
		ExponentialBackoff immediate = new ExponentialBackoff(Duration.ZERO, Duration.ZERO);

		assertThat(immediate.delayAfter(1)).isZero();
		assertThat(immediate.delayAfter(Integer.MAX_VALUE)).isZero();
	}

	@Test
	void initialEqualToMaxIsAccepted() {
		ExponentialBackoff flat = new ExponentialBackoff(Duration.ofSeconds(2), Duration.ofSeconds(2));

		assertThat(flat.delayAfter(1)).isBetween(Duration.ofMillis(1500), Duration.ofMillis(2500));
		assertThat(flat.delayAfter(10)).isBetween(Duration.ofMillis(1500), Duration.ofMillis(2500));
	}

	@Test
	void negativeInitialDelayIsRejectedNamingIt() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ExponentialBackoff(Duration.ofSeconds(-1), Duration.ofMinutes(1)))
			.withMessageContaining("initial PT-1S");
	}

	@Test
	void maxShorterThanInitialIsRejectedNamingBoth() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ExponentialBackoff(Duration.ofMinutes(2), Duration.ofMinutes(1)))
			.withMessageContaining("initial PT2M")
			.withMessageContaining("max PT1M");
	}

	@Test
	void toStringShowsItsSettings() {
		assertThat(this.backoff).hasToString("ExponentialBackoff[initial=PT1S, max=PT1H]");
	}

	private static List<Long> draw(ExponentialBackoff backoff, int attempt) {
		return IntStream.range(0, DRAWS).mapToObj((i) -> backoff.delayAfter(attempt).toMillis()).toList();
	}

}
