-- autotask schema, version 18: concurrency keys (SendOptions.concurrencyKey). At most
-- concurrency_limit tasks with the same key run at once across the cluster; the others wait,
-- PENDING, without spending attempts. Both columns are empty for tasks without a key.
ALTER TABLE autotask_task ADD COLUMN concurrency_key text;
ALTER TABLE autotask_task ADD COLUMN concurrency_limit integer;

-- The due tasks with a key, for their claim, which takes turns across the cluster; the claim of
-- the others leaves them out, and this index stays as small as their backlog.
CREATE INDEX autotask_task_keyed_idx ON autotask_task (priority DESC, run_at, id)
	WHERE status = 'PENDING' AND concurrency_key IS NOT NULL;

-- How many tasks of a key run now.
CREATE INDEX autotask_task_keyed_running_idx ON autotask_task (concurrency_key)
	WHERE status = 'RUNNING' AND concurrency_key IS NOT NULL;
