-- autotask schema, version 22: the console's search by error text reads the error index alone.
-- The error column holds the message and the stack trace: V14's error index led to each failed
-- task's row, and the search read its error (detoasted when large) to match the message, one
-- heap page per failed task (the counts read every failure when few match). error_search holds
-- the start of the message, lower-cased, and the index carries it, so that the search is an
-- index-only scan: 28 to 326 ms for a page and its counts over a million tasks before, 9 to 21 after
-- (autotask-bench --measurements=console, docs/performance.md).
--
-- error_search is left(lower(error->>'message'), 500), written by the statements that write the
-- error (TaskOutcomeTable, TaskMaintenanceTable). A task's error written by hand must set it too,
-- or the console's search by error text does not find the task. Lower-cased, it is matched with
-- LIKE lower(pattern), which is what ILIKE does; 500 characters (2,000 bytes at most) keep an
-- index entry within the 2,704 bytes a B-tree allows. A message of 500 lower-cased characters or
-- more may go on beyond the index: the search matches those in full against error.

-- No default: the column is added without rewriting the table.
ALTER TABLE autotask_task ADD COLUMN error_search text;

-- The tasks that have an error already. Run by hand on a big table, it can be run in batches
-- (it skips the rows done), e.g. with AND id BETWEEN :from AND :from + 99999 added, until the
-- greatest id; the error index below is best created after it.
UPDATE autotask_task SET error_search = left(lower(error->>'message'), 500)
WHERE error IS NOT NULL AND error_search IS NULL AND error->>'message' IS NOT NULL;

-- Replaces V14's error index: the same keys, the message carried along. A task with an error but
-- no message never matches a text, and is left out.
CREATE INDEX autotask_task_console_error_search_idx ON autotask_task (owner, status, created_at, id)
	INCLUDE (error_search)
	WHERE error_search IS NOT NULL;

DROP INDEX autotask_task_console_error_idx;
