-- autotask schema, version 19: groups of tasks with a callback (Autotask.sendGroup). The
-- callback task is enqueued once, when the last member has ended, with the group's counts.

CREATE TABLE autotask_group (
	id                    bigint GENERATED ALWAYS AS IDENTITY,
	owner                 text        NOT NULL,
	total                 integer     NOT NULL,
	succeeded             integer     NOT NULL DEFAULT 0,
	failed                integer     NOT NULL DEFAULT 0,
	cancelled             integer     NOT NULL DEFAULT 0,
	-- The callback, as its definition was when the group was sent.
	callback_name         text        NOT NULL,
	callback_queue        text        NOT NULL,
	callback_max_attempts integer     NOT NULL,
	callback_ttl          interval    NOT NULL,
	-- The channel the engines of this schema listen on, to wake them for the callback.
	channel               text        NOT NULL,
	created_at            timestamptz NOT NULL DEFAULT now(),
	-- Set once, by the end that completes the group: the callback enqueued.
	callback_task_id      bigint,
	CONSTRAINT autotask_group_pkey PRIMARY KEY (id)
);

ALTER TABLE autotask_task ADD COLUMN group_id bigint;

-- Counts a member's end in its group, and enqueues the callback with the end that completes it:
-- in the transaction of that end, whichever statement ends it (a run, a cancel, a rescue, a
-- delete), so that the callback is enqueued once, and never for an end that rolled back. The
-- group's row lock orders the members' ends. A member made pending again (a retry in place) before
-- the callback counts as not ended. search_path is the schema's, whatever the session's.
CREATE FUNCTION autotask_group_count() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path FROM CURRENT
AS $$
DECLARE
	ended   CONSTANT text[] := ARRAY['SUCCESS', 'FAILURE', 'CANCELLED'];
	old_end text := CASE WHEN OLD.status = ANY(ended) THEN OLD.status END;
	new_end text := CASE WHEN TG_OP = 'DELETE' THEN
		CASE WHEN OLD.status = ANY(ended) THEN NULL ELSE 'CANCELLED' END
		WHEN NEW.status = ANY(ended) THEN NEW.status END;
	grp     autotask_group%ROWTYPE;
	task_id bigint;
BEGIN
	IF TG_OP = 'DELETE' THEN
		old_end := NULL;
	END IF;
	UPDATE autotask_group SET
		succeeded = succeeded + (new_end IS NOT DISTINCT FROM 'SUCCESS')::int - (old_end IS NOT DISTINCT FROM 'SUCCESS')::int,
		failed = failed + (new_end IS NOT DISTINCT FROM 'FAILURE')::int - (old_end IS NOT DISTINCT FROM 'FAILURE')::int,
		cancelled = cancelled + (new_end IS NOT DISTINCT FROM 'CANCELLED')::int
			- (old_end IS NOT DISTINCT FROM 'CANCELLED')::int
	WHERE id = OLD.group_id AND callback_task_id IS NULL
	RETURNING * INTO grp;
	IF FOUND AND grp.succeeded + grp.failed + grp.cancelled = grp.total THEN
		INSERT INTO autotask_task (name, queue, owner, args, max_attempts, ttl)
		VALUES (grp.callback_name, grp.callback_queue, grp.owner,
			jsonb_build_array(jsonb_build_object('id', grp.id, 'total', grp.total, 'succeeded', grp.succeeded,
				'failed', grp.failed, 'cancelled', grp.cancelled, 'callbackTaskId', NULL)),
			grp.callback_max_attempts, grp.callback_ttl)
		RETURNING id INTO task_id;
		UPDATE autotask_group SET callback_task_id = task_id WHERE id = grp.id;
		PERFORM pg_notify(grp.channel, '');
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER autotask_task_group_end_trg AFTER UPDATE OF status ON autotask_task
	FOR EACH ROW
	WHEN (OLD.group_id IS NOT NULL AND OLD.status IS DISTINCT FROM NEW.status
		AND (OLD.status IN ('SUCCESS', 'FAILURE', 'CANCELLED') OR NEW.status IN ('SUCCESS', 'FAILURE', 'CANCELLED')))
	EXECUTE FUNCTION autotask_group_count();

CREATE TRIGGER autotask_task_group_delete_trg AFTER DELETE ON autotask_task
	FOR EACH ROW
	WHEN (OLD.group_id IS NOT NULL AND OLD.status IN ('PENDING', 'RUNNING'))
	EXECUTE FUNCTION autotask_group_count();
