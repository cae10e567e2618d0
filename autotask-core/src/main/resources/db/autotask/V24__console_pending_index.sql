-- autotask schema, version 24: the console's index of pending tasks. A search of an owner's
-- pending tasks read every pending task's row to find the newest (the claim index is ordered for
-- claims, not by creation, and holds no owner): with a backlog, that is the backlog. This index
-- reads them newest first and stops at the page, or at the counts' cap.
--
-- A task enters it when it is enqueued (or made pending again by a retry), not when it is
-- claimed: a claim makes the row RUNNING, which this index does not hold, so the drain writes
-- nothing to it.
CREATE INDEX autotask_task_console_pending_idx ON autotask_task (owner, created_at, id)
	INCLUDE (name, queue, started_by)
	WHERE status = 'PENDING';
