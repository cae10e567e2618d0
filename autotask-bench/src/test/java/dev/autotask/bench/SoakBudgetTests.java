package dev.autotask.bench;

import java.util.List;

import dev.autotask.bench.SoakBudget.Budget;
import dev.autotask.bench.SoakBudget.Part;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SoakBudgetTests {

	private static final int CORES = Runtime.getRuntime().availableProcessors();

	@Test
	void theCeilingIsTheRateAtWhichThePartsTogetherKeepEveryCoreBusy() {
		// 100,000 tasks: 1 s of busy CPU time is 10 µs a task.
		Budget budget = new Budget(new Part("idle", 0, 2, 0.1),
				List.of(new Part("enqueue", 100_000, 1, 1), new Part("run", 100_000, 4, 3),
						new Part("prune", 100_000, 1, 0.5), new Part("vacuum", 100_000, 1, 0.5)));
		assertThat(budget.parts().get(1).microsPerTask()).isCloseTo(30, within(1e-9));
		// 10 + 30 + 5 + 5 = 50 µs a task.
		assertThat(budget.ceiling()).isCloseTo(CORES * 1e6 / 50, within(1e-6));
	}

	@Test
	void theBudgetSaysWhatShareOfTheDrainRateTheCeilingIs() {
		Budget budget = new Budget(new Part("idle", 0, 2, 0.1),
				List.of(new Part("enqueue", 100_000, 1, CORES * 0.5), new Part("run", 100_000, 1, CORES * 0.5)));
		// CORES seconds over 100,000 tasks: the ceiling is 100,000 tasks/s.
		List<String> lines = budget.render(200_000, 140_000);
		assertThat(lines.get(3)).contains("100,000 tasks/s", "140,000 tasks/s", "(50% and 70% of the drain rate)");
		assertThat(budget.render(0, 140_000).get(3)).doesNotContain("drain rate");
	}

}
