-- autotask schema, version 16: a task's unique key held for a period (SendOptions.uniqueFor),
-- even after the task ended. A start with such a key looks up the newest task with the key here;
-- only tasks with a unique key are in it.
CREATE INDEX autotask_task_unique_recent_idx ON autotask_task (name, owner, unique_key, created_at)
	WHERE unique_key IS NOT NULL;
