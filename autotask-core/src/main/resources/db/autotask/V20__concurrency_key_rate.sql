-- autotask schema, version 20: rate limits per concurrency key (SendOptions.keyRateLimit). A
-- task's key may be limited by how many of its tasks start per period across the cluster, as a
-- queue is by V17: one start per interval, smooth rather than bursty.

-- The time between two starts of tasks with the task's key, in microseconds; empty for none.
-- A key with no limit on running tasks has no concurrency_limit.
ALTER TABLE autotask_task ADD COLUMN key_rate_micros bigint;

-- When a rate-limited key's next task may start, at the earliest. The keyed claim, which takes
-- turns across the cluster, reads it and moves it on by one interval per start. A row whose time
-- has passed says no more than a missing one, and is pruned.
CREATE TABLE autotask_key_rate (
	concurrency_key text PRIMARY KEY,
	next_start timestamptz NOT NULL
);
