-- autotask schema, version 12: what the admin page's charts of each queue draw, kept per
-- minute for a day.

-- One row per owner, queue and minute (on the database clock). succeeded and failed count the
-- tasks that ended in that minute for good (a failed attempt that is retried counts when its
-- task ends): each node counts its own in memory and adds them here with one statement every
-- heartbeat, so that the hot path writes nothing more. depth and oldest_pending_ms are sampled
-- by the leader once a minute (the due pending tasks, and how long the oldest has waited past
-- its time); they stay NULL in a minute no leader sampled. The leader deletes rows older than a
-- day, so that the table holds at most 1,440 rows a queue and owner.
CREATE TABLE autotask_queue_minute (
	owner              text        NOT NULL,
	queue              text        NOT NULL,
	minute             timestamptz NOT NULL,
	succeeded          bigint      NOT NULL DEFAULT 0,
	failed             bigint      NOT NULL DEFAULT 0,
	depth              bigint,
	oldest_pending_ms  bigint,
	CONSTRAINT autotask_queue_minute_pkey PRIMARY KEY (owner, queue, minute)
);

-- The recent minutes of every queue, for the leader's sample (which queues were busy lately)
-- and the pruning of old minutes, without reading the whole table.
CREATE INDEX autotask_queue_minute_minute_idx ON autotask_queue_minute (minute);
