-- autotask schema, version 17: rate limits across the cluster (autotask.queues.<q>.rate-limit).
-- When the queue's next task may start, at the earliest; each claim of a rate-limited queue locks
-- its row, takes the starts due by now, and moves this on by one interval per start.
ALTER TABLE autotask_queue ADD COLUMN next_start timestamptz;
