-- autotask schema, version 4: who started a task, as the admin page's "start as" records it.

-- The user (or service user) a task was started as, where the starter knows one; shown in the
-- history and given to the task through its context. It is not the owner: the owner decides who
-- can see the task, this only says on whose behalf it runs.
ALTER TABLE autotask_task ADD COLUMN started_by text
	CONSTRAINT autotask_task_started_by_check CHECK (length(started_by) BETWEEN 1 AND 200);
