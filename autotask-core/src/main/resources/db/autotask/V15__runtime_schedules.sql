-- Schedules created at run time through Autotask.runtimeSchedules() or the REST API, next to
-- those declared with @PeriodicTask and @CronTask (which live in code and keep only their
-- pause in autotask_schedule). Each belongs to one owner, who alone sees and changes it, and
-- fires its task with its arguments as that owner.
--
-- Its fires go to autotask_fire like those of declared schedules, under the key 'runtime:<id>'
-- (a declared schedule is keyed by its task's name, and no task may be named so), so that each
-- fire time is fired once across nodes and leaders. The id, never reused, makes a schedule
-- deleted and created again under the same name start afresh.
CREATE TABLE autotask_runtime_schedule (
	id          bigint      GENERATED ALWAYS AS IDENTITY,
	owner       text        NOT NULL,
	name        text        NOT NULL,
	task        text        NOT NULL,
	-- CRON: a five-field expression read in zone; EVERY: an ISO-8601 duration such as PT10M.
	kind        text        NOT NULL,
	expression  text        NOT NULL,
	zone        text        NOT NULL DEFAULT 'UTC',
	args        jsonb       NOT NULL DEFAULT '[]',
	misfire     text        NOT NULL DEFAULT 'RUN_ONCE',
	paused      boolean     NOT NULL DEFAULT false,
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT autotask_runtime_schedule_pkey PRIMARY KEY (id),
	CONSTRAINT autotask_runtime_schedule_owner_name_key UNIQUE (owner, name),
	CONSTRAINT autotask_runtime_schedule_kind_check CHECK (kind IN ('CRON', 'EVERY')),
	CONSTRAINT autotask_runtime_schedule_misfire_check CHECK (misfire IN ('RUN_ONCE', 'SKIP'))
);
