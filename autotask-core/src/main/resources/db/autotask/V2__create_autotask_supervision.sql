-- autotask schema, version 2: the supervisor marker, the nodes, schedule fires, and what the
-- rescue of orphaned tasks needs on the task table.

-- The supervisor marker: one row naming the leader node. The lease is measured on the
-- database clock, so a leader killed with kill -9 loses the lead when expires_at passes, and
-- a restarted node never needs a hand-cleaned row.
CREATE TABLE autotask_leader (
	name        text        NOT NULL DEFAULT 'default',
	leader_id   text        NOT NULL,
	elected_at  timestamptz NOT NULL,
	expires_at  timestamptz NOT NULL,
	CONSTRAINT autotask_leader_pkey PRIMARY KEY (name),
	CONSTRAINT autotask_leader_name_check CHECK (name = 'default')
);

-- Every running node, renewed by heartbeat. A node whose expires_at has passed is dead: the
-- leader hands its RUNNING tasks back.
CREATE TABLE autotask_node (
	id            text        NOT NULL,
	started_at    timestamptz NOT NULL DEFAULT now(),
	heartbeat_at  timestamptz NOT NULL DEFAULT now(),
	expires_at    timestamptz NOT NULL,
	workers       integer     NOT NULL,
	CONSTRAINT autotask_node_pkey PRIMARY KEY (id)
);

-- One row per fire of a periodic or cron task. The primary key makes a fire happen once even
-- if two nodes both believe they lead for a moment. skipped marks a fire that was not run
-- (the previous run was still busy, or it is the anchor a schedule starts counting from).
CREATE TABLE autotask_fire (
	schedule  text        NOT NULL,
	fire_at   timestamptz NOT NULL,
	task_id   bigint,
	skipped   boolean     NOT NULL DEFAULT false,
	CONSTRAINT autotask_fire_pkey PRIMARY KEY (schedule, fire_at)
);

-- How many times the task was handed back from a dead node; each hand-back also grants one
-- more attempt, so the user's retry budget is never spent on a crash.
ALTER TABLE autotask_task ADD COLUMN rescues integer NOT NULL DEFAULT 0;

-- The rows still to run or running, by name: the rescuer reads the RUNNING ones, and a
-- schedule checks here that its previous run is done before it fires again. Small, however
-- long the history.
CREATE INDEX autotask_task_active_idx ON autotask_task (name) WHERE status IN ('PENDING', 'RUNNING');

-- History per task name, newest first, for the history pruner and the admin page.
CREATE INDEX autotask_task_history_idx ON autotask_task (name, finished_at DESC)
	WHERE finished_at IS NOT NULL;
