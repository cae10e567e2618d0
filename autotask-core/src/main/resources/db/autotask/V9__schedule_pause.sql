-- The state an operator gives a schedule, on every node: paused, its fires are recorded as
-- skipped (so that it does not catch up on them when it is resumed) and enqueue nothing. A
-- schedule without a row runs.
CREATE TABLE autotask_schedule (
	name       text        NOT NULL,
	paused     boolean     NOT NULL DEFAULT false,
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT autotask_schedule_pkey PRIMARY KEY (name)
);
