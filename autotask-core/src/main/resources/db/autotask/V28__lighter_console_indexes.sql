-- autotask schema, version 28: the console's indexes of ended and pending tasks without most of the
-- columns they carried besides their keys. Those columns (V14: name, queue, started_by, finished_at,
-- node_id; V24: name, queue, started_by) let a search filter by them from the index alone, but they
-- made the two indexes half of autotask_task's index space: 465 and 144 MB of 1,288, 13 minutes
-- into a flow of 16,700 tasks/s with a TTL of two minutes (autotask-bench --measurements=soak). Every
-- task writes one entry to each, WAL logs it, and every autovacuum pass reads both whole: the
-- steady state paid for them on every task, where a search pays for their absence only on the
-- rows it reads.
--
-- What a search does now: by status, queue and the times, from the index alone, as before (the
-- queue and the finish time are kept: without them a count of the tasks finished in the last hour
-- read 10,000 rows, 118 ms instead of 5 over a million tasks); by name and by who started a task,
-- through their own indexes (V14), as before; by node it reads the candidates' rows, newest first,
-- until the page is full. Among pending tasks, a search by anything but the queue reads their
-- rows: rows a busy queue has just written, which the visibility map does not call all-visible
-- yet, so that the search read most of them anyway.
--
-- Each new index is built before the old one is dropped, so that searches have an index
-- throughout; the build blocks writes to autotask_task while it runs (seconds per million rows).
-- On a large table, build them by hand first, without blocking writes, and this migration then
-- keeps them (IF NOT EXISTS; check that each is valid, as a failed CONCURRENTLY build leaves an
-- invalid index of that name behind):
--   CREATE INDEX CONCURRENTLY autotask_task_console_lean_idx ON autotask_task (owner, status, created_at, id)
--     INCLUDE (queue, finished_at) WHERE status IN ('SUCCESS', 'FAILURE', 'CANCELLED');
--   CREATE INDEX CONCURRENTLY autotask_task_console_pending_lean_idx ON autotask_task (owner, created_at, id)
--     INCLUDE (queue) WHERE status = 'PENDING';
CREATE INDEX IF NOT EXISTS autotask_task_console_lean_idx ON autotask_task (owner, status, created_at, id)
	INCLUDE (queue, finished_at)
	WHERE status IN ('SUCCESS', 'FAILURE', 'CANCELLED');

DROP INDEX autotask_task_console_idx;

ALTER INDEX autotask_task_console_lean_idx RENAME TO autotask_task_console_idx;

CREATE INDEX IF NOT EXISTS autotask_task_console_pending_lean_idx ON autotask_task (owner, created_at, id)
	INCLUDE (queue)
	WHERE status = 'PENDING';

DROP INDEX autotask_task_console_pending_idx;

ALTER INDEX autotask_task_console_pending_lean_idx RENAME TO autotask_task_console_pending_idx;
