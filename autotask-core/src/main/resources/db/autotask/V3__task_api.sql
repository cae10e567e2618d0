-- autotask schema, version 3: what the task API needs: unique keys, cancellation, progress,
-- continuation chains and checkpoints, paused queues, and the outbox of task events.

-- A second enqueue with the same (name, owner, unique_key) while the first is pending or
-- running returns the first task instead of a duplicate. The owner is part of the key: one
-- owner's key never reveals another's task.
ALTER TABLE autotask_task ADD COLUMN unique_key text;
CREATE UNIQUE INDEX autotask_task_unique_key_idx ON autotask_task (name, owner, unique_key)
	WHERE unique_key IS NOT NULL AND status IN ('PENDING', 'RUNNING');

-- Set by a cancel of a RUNNING task; the task sees it through its context.
ALTER TABLE autotask_task ADD COLUMN cancel_requested boolean NOT NULL DEFAULT false;

-- {"done": n, "total": m} as last reported by the task.
ALTER TABLE autotask_task ADD COLUMN progress jsonb;

-- The first task of a chain of continuations (itself for the first), so that a chain can be
-- followed by its first id.
ALTER TABLE autotask_task ADD COLUMN chain_id bigint;
CREATE INDEX autotask_task_chain_idx ON autotask_task (chain_id) WHERE chain_id IS NOT NULL;

-- Where an iterative task stands: the cursor saved after each committed chunk.
ALTER TABLE autotask_task ADD COLUMN checkpoint jsonb;

-- Queues that are paused across all nodes. A queue without a row runs.
CREATE TABLE autotask_queue (
	name        text        NOT NULL,
	paused      boolean     NOT NULL DEFAULT false,
	updated_at  timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT autotask_queue_pkey PRIMARY KEY (name)
);

-- Task events, written in the same statement as the task's end, so that an event is never
-- lost nor sent for an end that rolled back. The relay publishes and deletes them.
CREATE TABLE autotask_outbox (
	id          bigint      GENERATED ALWAYS AS IDENTITY,
	task_id     bigint      NOT NULL,
	name        text        NOT NULL,
	owner       text        NOT NULL,
	outcome     text        NOT NULL,
	result      jsonb,
	error       jsonb,
	created_at  timestamptz NOT NULL DEFAULT now(),
	attempts    integer     NOT NULL DEFAULT 0,
	CONSTRAINT autotask_outbox_pkey PRIMARY KEY (id),
	CONSTRAINT autotask_outbox_outcome_check CHECK (outcome IN ('SUCCESS', 'FAILURE'))
);
