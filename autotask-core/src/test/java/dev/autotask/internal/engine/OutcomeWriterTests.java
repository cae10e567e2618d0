package dev.autotask.internal.engine;

import java.sql.SQLException;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.autotask.internal.jdbc.TaskRow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link OutcomeWriter}: which failures a worker's write waits out, and which it
 * gives up on. No database: the write is a lambda that fails as told.
 */
class OutcomeWriterTests {

	private static final TaskRow ROW = new TaskRow(7, "work", "default", "owner", "RUNNING", "[]", 1, 4,
			Instant.EPOCH, Instant.EPOCH, Instant.EPOCH, null, null, null, null, null, 0, null, null, null, null);

	private final AtomicBoolean stopping = new AtomicBoolean();

	private final OutcomeWriter writer = new OutcomeWriter(this.stopping::get);

	private final AtomicInteger tries = new AtomicInteger();

	@AfterEach
	void clearInterrupt() {
		Thread.interrupted();
	}

	@Test
	void writeThatAppliesIsWrittenOnce() {
		assertThat(this.writer.write(ROW, () -> this.tries.incrementAndGet() > 0)).isTrue();
		assertThat(this.tries).hasValue(1);
	}

	@Test
	void writeThatNoLongerAppliesSaysSo() {
		assertThat(this.writer.write(ROW, () -> this.tries.incrementAndGet() < 0)).isFalse();
		assertThat(this.tries).hasValue(1);
	}

	@Test
	void lostConnectionIsWaitedOut() {
		boolean written = this.writer.write(ROW, () -> {
			if (this.tries.incrementAndGet() < 3) {
				throw lost();
			}
			return true;
		});

		assertThat(written).isTrue();
		assertThat(this.tries).hasValue(3);
	}

	@Test
	void fullHeapIsWaitedOut() {
		boolean written = this.writer.write(ROW, () -> {
			if (this.tries.incrementAndGet() < 2) {
				throw new OutOfMemoryError("Java heap space");
			}
			return true;
		});

		assertThat(written).isTrue();
		assertThat(this.tries).hasValue(2);
	}

	@Test
	void writeTheDatabaseRefusesIsNotTriedAgain() {
		assertThatExceptionOfType(DataIntegrityViolationException.class).isThrownBy(() -> this.writer.write(ROW, () -> {
			this.tries.incrementAndGet();
			throw new DataIntegrityViolationException("too long");
		}));
		assertThat(this.tries).hasValue(1);
	}

	@Test
	void lostConnectionWhileTheEngineStopsIsGivenUp() {
		this.stopping.set(true);

		assertThatExceptionOfType(CannotGetJdbcConnectionException.class).isThrownBy(() -> this.writer.write(ROW, () -> {
			this.tries.incrementAndGet();
			throw lost();
		}));
		assertThat(this.tries).hasValue(1);
	}

	@Test
	void interruptDuringTheWaitGivesUpAndKeepsTheFlag() {
		Thread.currentThread().interrupt();

		assertThatExceptionOfType(CannotGetJdbcConnectionException.class).isThrownBy(() -> this.writer.write(ROW, () -> {
			this.tries.incrementAndGet();
			throw lost();
		}));
		assertThat(this.tries).hasValue(1);
		assertThat(Thread.currentThread().isInterrupted()).isTrue();
	}

	private static CannotGetJdbcConnectionException lost() {
		return new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection",
				new SQLException("Connection refused", "08001"));
	}

}
