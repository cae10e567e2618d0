-- autotask schema, version 25: a search of the pending tasks' arguments by JSON containment, as
-- V14 and V23 have for the ended ones: without it, the search read every pending task's row.
-- Like V24, a task enters it when it is enqueued with arguments, not when it is claimed, so the
-- drain writes nothing to it; an enqueue with arguments writes one entry more.
CREATE INDEX autotask_task_console_pending_args_idx ON autotask_task USING gin (args jsonb_path_ops)
	WHERE status = 'PENDING' AND args <> '[]'::jsonb;
