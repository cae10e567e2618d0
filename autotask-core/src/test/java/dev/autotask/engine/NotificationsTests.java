package dev.autotask.engine;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the start-up log says of where an engine listens.
 */
class NotificationsTests {

	@Test
	void directConnectionIsNamedByItsUrlWithoutItsPassword() {
		String url = "jdbc:postgresql://db:5432/app?user=app&password=s3cret&ssl=true";

		String described = Notifications.direct(new DriverManagerDataSource(url), url).describe(Duration.ofSeconds(5));

		assertThat(described).isEqualTo("LISTEN on jdbc:postgresql://db:5432/app?user=app&password=***&ssl=true"
				+ " (a direct connection), and a poll every 5s in case a notification is missed");
	}

	@Test
	void pollOnlySaysHowLongANewTaskMayWait() {
		assertThat(Notifications.pollOnly().listens()).isFalse();
		assertThat(Notifications.pollOnly().describe(Duration.ofSeconds(5)))
			.isEqualTo("poll-only every 5s: no LISTEN, so a new task waits up to that long");
	}

	@Test
	void defaultListensOnTheEnginesDataSource() {
		DriverManagerDataSource engine = new DriverManagerDataSource("jdbc:postgresql://db/app");

		assertThat(Notifications.engineDataSource().dataSource(engine)).isSameAs(engine);
		assertThat(Notifications.engineDataSource().describe(Duration.ofMinutes(1)))
			.startsWith("LISTEN on a connection of the engine's DataSource, and a poll every 1m");
	}

}
