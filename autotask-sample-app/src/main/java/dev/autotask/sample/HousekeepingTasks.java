package dev.autotask.sample;

import java.util.concurrent.atomic.AtomicLong;

import dev.autotask.annotation.CronTask;
import dev.autotask.annotation.PeriodicTask;

import org.springframework.stereotype.Component;

/**
 * The sample's recurring tasks: fired by the leader node, run by any node, once per fire.
 */
@Component
public class HousekeepingTasks {

	private final AtomicLong refreshes = new AtomicLong();

	/**
	 * Refresh exchange rates every minute, the first time as soon as the application is up.
	 * @return a summary, kept as the run's result
	 */
	@PeriodicTask(every = "1m", startNow = true)
	public String refreshRates() {
		return "rates refreshed (" + this.refreshes.incrementAndGet() + " times on this node)";
	}

	/**
	 * Send the morning digest at 07:15 and 07:30 on weekdays, Stockholm time.
	 * @return a summary
	 */
	@CronTask(value = "15,30 7 * * MON-FRI", zone = "Europe/Stockholm")
	public String morningDigest() {
		return "digest sent";
	}

}
