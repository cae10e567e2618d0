-- autotask schema, version 23: the console's index of arguments (V14) leaves out the tasks
-- without any ('[]'), which no search by arguments finds: periodic and cron tasks, and every task
-- without parameters, then end without an entry in it. Measured side by side, a GIN entry per
-- ended task cost the drain of such tasks about a tenth (docs/performance.md).
DROP INDEX autotask_task_console_args_idx;

CREATE INDEX autotask_task_console_args_idx ON autotask_task USING gin (args jsonb_path_ops)
	WHERE status IN ('SUCCESS', 'FAILURE', 'CANCELLED') AND args <> '[]'::jsonb;
