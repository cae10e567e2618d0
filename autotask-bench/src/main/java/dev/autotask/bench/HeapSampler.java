package dev.autotask.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The highest heap use seen while it runs, sampled from the {@link MemoryMXBean} every 100 ms.
 * What it sees includes garbage not yet collected: it tells how much heap a drain needs before
 * the collector has to work, not how much it retains.
 */
final class HeapSampler implements AutoCloseable {

	private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

	private final AtomicLong peak = new AtomicLong();

	private final ScheduledExecutorService sampler = Executors
		.newSingleThreadScheduledExecutor((runnable) -> new Thread(runnable, "heap-sampler"));

	private HeapSampler() {
		this.sampler.scheduleAtFixedRate(this::sample, 0, 100, TimeUnit.MILLISECONDS);
	}

	/**
	 * Collect what the previous measurement left, then start sampling.
	 * @return the sampler
	 */
	static HeapSampler start() {
		System.gc();
		return new HeapSampler();
	}

	private void sample() {
		long used = this.memory.getHeapMemoryUsage().getUsed();
		this.peak.accumulateAndGet(used, Math::max);
	}

	/**
	 * The peak so far.
	 * @return the peak in MiB
	 */
	double peakMebibytes() {
		sample();
		return this.peak.get() / (1024.0 * 1024.0);
	}

	@Override
	public void close() {
		this.sampler.shutdownNow();
	}

}
