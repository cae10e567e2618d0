-- How many tasks the node had claimed ahead of its workers at its last heartbeat: RUNNING on it
-- in the task table, but waiting in its buffer for a free worker. Only the node knows it, so it
-- reports it with each heartbeat; the console shows it next to the node's running tasks.
ALTER TABLE autotask_node ADD COLUMN claimed_ahead integer NOT NULL DEFAULT 0;
