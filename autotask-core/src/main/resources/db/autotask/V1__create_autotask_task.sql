-- autotask schema, version 1: the task table.
-- Run by the starter's own Flyway (history table autotask_schema_history); teams that migrate
-- by hand apply the files of db/autotask in version order, in the schema autotask.schema names.

CREATE TABLE autotask_task (
	id            bigint GENERATED ALWAYS AS IDENTITY,
	name          text        NOT NULL,
	queue         text        NOT NULL DEFAULT 'default',
	owner         text        NOT NULL,
	args          jsonb       NOT NULL DEFAULT '[]',
	status        text        NOT NULL DEFAULT 'PENDING',
	priority      smallint    NOT NULL DEFAULT 0,
	-- The earliest time the task may start; also the time of the next retry.
	run_at        timestamptz NOT NULL DEFAULT now(),
	-- Attempts started so far; a claim increments it.
	attempt       integer     NOT NULL DEFAULT 0,
	max_attempts  integer     NOT NULL,
	-- How long the outcome is kept once the task has ended.
	ttl           interval    NOT NULL,
	created_at    timestamptz NOT NULL DEFAULT now(),
	started_at    timestamptz,
	finished_at   timestamptz,
	-- finished_at + ttl, set when the task ends; the pruner deletes rows past it.
	expires_at    timestamptz,
	-- The node running the task while it is RUNNING, the last one that ran it afterwards.
	node_id       text,
	result        jsonb,
	-- {"type": ..., "message": ..., "stackTrace": ...} of the last failed attempt.
	error         jsonb,
	CONSTRAINT autotask_task_pkey PRIMARY KEY (id),
	CONSTRAINT autotask_task_status_check
		CHECK (status IN ('PENDING', 'RUNNING', 'SUCCESS', 'FAILURE', 'CANCELLED')),
	CONSTRAINT autotask_task_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
	CONSTRAINT autotask_task_queue_check CHECK (char_length(queue) BETWEEN 1 AND 100),
	CONSTRAINT autotask_task_max_attempts_check CHECK (max_attempts >= 1)
);

-- The claim reads only this index: it holds the pending rows alone, so it stays small however
-- much history the table keeps.
CREATE INDEX autotask_task_claim_idx ON autotask_task (priority DESC, run_at, id)
	WHERE status = 'PENDING';

-- The pruner finds ended rows past their TTL here.
CREATE INDEX autotask_task_expires_idx ON autotask_task (expires_at)
	WHERE expires_at IS NOT NULL;
