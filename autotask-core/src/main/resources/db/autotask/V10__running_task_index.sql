-- The running tasks by node and start: what every rescue looks for, on every heartbeat of every
-- node. Without it a rescue reads the whole task table, whatever its backlog of pending and ended
-- tasks (560 ms at a million rows). Only RUNNING rows are in it, so it stays as small as the
-- number of tasks running, and a claim or an end adds or removes one entry.
CREATE INDEX autotask_task_running_idx ON autotask_task (node_id, started_at) WHERE status = 'RUNNING';
