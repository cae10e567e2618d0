-- autotask schema, version 14: the operations console's indexes (Autotask.find and its counts).
-- A search reads, for each status, the newest tasks of one owner in (created_at, id) order and
-- stops at the page's size, or at the counts' cap; these indexes make each of those reads a range
-- of one index whatever the size of the table. Measured by autotask-bench --measurements=console
-- over a million tasks, and the drain side by side with and without them (docs/performance.md).
--
-- They hold ended tasks only: a task enters them once, when it ends, not when it is enqueued nor
-- when it is claimed, so that the queue's hot path pays for each of them once per task rather
-- than three times. Pending tasks are found through the claim index, running ones through the
-- running index: there are few of them next to the history.

-- Every search of ended tasks: status, queue, started-by, node and the time ranges are read from
-- the index alone (an index-only scan), without visiting the rows.
CREATE INDEX autotask_task_console_idx ON autotask_task (owner, status, created_at, id)
	INCLUDE (name, queue, started_by, finished_at, node_id)
	WHERE status IN ('SUCCESS', 'FAILURE', 'CANCELLED');

-- One task name's ended tasks.
CREATE INDEX autotask_task_console_name_idx ON autotask_task (owner, name, status, created_at, id)
	WHERE status IN ('SUCCESS', 'FAILURE', 'CANCELLED');

-- The tasks with an error, for a search of its text: the failures alone, a small index.
CREATE INDEX autotask_task_console_error_idx ON autotask_task (owner, status, created_at, id)
	WHERE error IS NOT NULL;

-- The tasks a person started from the page or the REST API (started_by is empty for the tasks
-- an application sends).
CREATE INDEX autotask_task_console_started_by_idx ON autotask_task (owner, started_by, status, created_at, id)
	WHERE started_by IS NOT NULL;

-- A search of the ended tasks' arguments by JSON containment (args @> '{"customer": 42}').
CREATE INDEX autotask_task_console_args_idx ON autotask_task USING gin (args jsonb_path_ops)
	WHERE status IN ('SUCCESS', 'FAILURE', 'CANCELLED');
