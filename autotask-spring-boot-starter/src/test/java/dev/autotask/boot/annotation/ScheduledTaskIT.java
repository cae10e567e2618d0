package dev.autotask.boot.annotation;

import java.time.DayOfWeek;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.autotask.Autotask;
import dev.autotask.ScheduleInfo;
import dev.autotask.annotation.CronTask;
import dev.autotask.annotation.PeriodicTask;
import dev.autotask.boot.testsupport.AutotaskContextRunners;
import dev.autotask.testsupport.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code @PeriodicTask} and {@code @CronTask} in an application: they run by themselves, show
 * their next run, and a bad schedule fails the start-up naming the task, the field and the
 * value.
 */
class ScheduledTaskIT {

	@RegisterExtension
	static final PostgresExtension postgres = PostgresExtension.empty();

	private final ApplicationContextRunner runner = AutotaskContextRunners.application(postgres);

	@Test
	void periodicTaskRunsEveryPeriodAndCronTaskShowsItsNextRun() {
		this.runner.withBean("rates", Rates.class).run((context) -> {
			Rates rates = context.getBean(Rates.class);
			await().atMost(Duration.ofSeconds(15)).until(() -> rates.refreshes.get() >= 3);

			List<ScheduleInfo> schedules = context.getBean(Autotask.class).schedules();
			assertThat(schedules).extracting(ScheduleInfo::task)
				.containsExactly("rates.digest", "rates.refresh", "rates.twiceAWeek");
			ScheduleInfo digest = schedules.get(0);
			assertThat(digest.schedule()).isEqualTo("15,30 7 * * MON-FRI Europe/Stockholm");
			assertThat(digest.nextFire()).isAfter(java.time.Instant.now().minusSeconds(5));
			assertThat(schedules.get(1).lastFire()).isNotNull();
			assertThat(schedules.get(2).schedule()).startsWith("15 7 * * MON,FRI");
		});
	}

	@Test
	void badCronExpressionFailsStartUpNamingTaskFieldAndValue() {
		this.runner.withBean("bad", BadCron.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("BadCron.run()")
				.hasStackTraceContaining("'bad.run'")
				.hasStackTraceContaining("minute")
				.hasStackTraceContaining("'61'"));
	}

	@Test
	void scheduledMethodWithParametersFailsStartUp() {
		this.runner.withBean("bad", WithParameter.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("WithParameter.run(String) must take no parameters"));
	}

	@Test
	void tooShortPeriodFailsStartUp() {
		this.runner.withBean("bad", TooShort.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("@PeriodicTask(every = \"10ms\") on ScheduledTaskIT.TooShort.run()"));
	}

	public static class Rates {

		final AtomicInteger refreshes = new AtomicInteger();

		@PeriodicTask(every = "1s", startNow = true)
		void refresh() {
			this.refreshes.incrementAndGet();
		}

		@CronTask(value = "15,30 7 * * MON-FRI", zone = "Europe/Stockholm")
		public void digest() {
		}

		@CronTask(hours = "7", minutes = "15", daysOfWeek = { DayOfWeek.MONDAY, DayOfWeek.FRIDAY })
		public void twiceAWeek() {
		}

	}

	public static class BadCron {

		@CronTask("61 * * * *")
		public void run() {
		}

	}

	public static class WithParameter {

		@PeriodicTask(every = "1m")
		public void run(String value) {
		}

	}

	public static class TooShort {

		@PeriodicTask(every = "10ms")
		public void run() {
		}

	}

}
