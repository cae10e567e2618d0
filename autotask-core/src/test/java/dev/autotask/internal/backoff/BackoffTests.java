package dev.autotask.internal.backoff;

import java.time.Duration;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link Backoff}.
 */
class BackoffTests {

	@Test
	void doublesFromTheFirstWaitUpToTheLongest() {
		Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

		assertThat(IntStream.rangeClosed(1, 9).mapToObj(backoff::delay).map(Duration::toMillis))
			.containsExactly(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L, 5000L);
	}

	@Test
	void waitsAsTheLoopsDidWhenTheyDoubledByHand() {
		// What the dispatcher, the completer, the runner, the notifier and the relay each computed:
		// wait, then backoff = min(backoff × 2, max).
		for (Backoff backoff : new Backoff[] { new Backoff(Duration.ofMillis(50), Duration.ofSeconds(5)),
				new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30)),
				new Backoff(Duration.ofMillis(100), Duration.ofMillis(20)),
				new Backoff(Duration.ofMillis(100), Duration.ofMillis(100)),
				new Backoff(Duration.ofMillis(300), Duration.ofMillis(1000)) }) {
			Duration byHand = backoff.first();
			for (int failures = 1; failures <= 40; failures++) {
				assertThat(backoff.delay(failures)).as("%s after %d failures", backoff, failures).isEqualTo(byHand);
				byHand = (byHand.multipliedBy(2).compareTo(backoff.max()) <= 0) ? byHand.multipliedBy(2)
						: backoff.max();
			}
		}
	}

	@Test
	void firstWaitIsNotCutToAShorterLongest() {
		// A dispatcher polling every 20 ms waits 100 ms after its first failed claim, then 20 ms.
		Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(20));

		assertThat(backoff.delay(1)).isEqualTo(Duration.ofMillis(100));
		assertThat(backoff.delay(2)).isEqualTo(Duration.ofMillis(20));
		assertThat(backoff.delay(3)).isEqualTo(Duration.ofMillis(20));
	}

	@Test
	void staysAtTheLongestAfterAnyNumberOfFailures() {
		Backoff backoff = new Backoff(Duration.ofMillis(1), Duration.ofHours(1));

		assertThat(backoff.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofHours(1));
	}

	@Test
	void rejectsAWaitThatIsNotPositive() {
		assertThatIllegalArgumentException().isThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
		assertThatIllegalArgumentException().isThrownBy(() -> new Backoff(Duration.ofMillis(1), Duration.ZERO));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Backoff(Duration.ofMillis(-1), Duration.ofSeconds(1)));
	}

}
