-- autotask schema, version 27: one outbox row per statement that ends tasks, not one per task.
-- The completer ends a few hundred tasks in one statement; each of their events was a row of its
-- own, inserted, locked by the relay and deleted again: three row writes, and their WAL, per
-- task. The events cost a fifth of the drain's rate (38,154 tasks/s without them, 29,405 with
-- them, autotask-bench on 2 cores). Now a statement writes its events as one row of arrays, one
-- element per event, and the relay locks and deletes that row once.
--
-- Each event keeps an id of its own, from the table's sequence, so that consumers still
-- de-duplicate by it. Rows written before this version (one event, in the scalar columns) stay
-- valid and are published as before; so are those a node of an older version writes during a
-- rolling upgrade. A node of an older version cannot read the new rows: its relay fails on them
-- and backs off, and a node of this version publishes them.
ALTER TABLE autotask_outbox
	ADD COLUMN event_ids bigint[],
	ADD COLUMN task_ids bigint[],
	ADD COLUMN names text[],
	ADD COLUMN owners text[],
	ADD COLUMN outcomes text[],
	ADD COLUMN results jsonb[],
	ADD COLUMN errors jsonb[],
	ALTER COLUMN task_id DROP NOT NULL,
	ALTER COLUMN name DROP NOT NULL,
	ALTER COLUMN owner DROP NOT NULL,
	ALTER COLUMN outcome DROP NOT NULL;

-- A row holds one event in the scalar columns, or one or more in the arrays, all of a length.
ALTER TABLE autotask_outbox ADD CONSTRAINT autotask_outbox_events_check CHECK (
	(task_ids IS NULL AND event_ids IS NULL AND names IS NULL AND owners IS NULL AND outcomes IS NULL
		AND results IS NULL AND errors IS NULL
		AND task_id IS NOT NULL AND name IS NOT NULL AND owner IS NOT NULL AND outcome IS NOT NULL)
	OR (task_id IS NULL AND name IS NULL AND owner IS NULL AND outcome IS NULL AND result IS NULL
		AND error IS NULL
		AND cardinality(task_ids) > 0
		AND cardinality(event_ids) = cardinality(task_ids) AND cardinality(names) = cardinality(task_ids)
		AND cardinality(owners) = cardinality(task_ids) AND cardinality(outcomes) = cardinality(task_ids)
		AND cardinality(results) = cardinality(task_ids) AND cardinality(errors) = cardinality(task_ids)
		AND array_position(task_ids, NULL) IS NULL AND array_position(event_ids, NULL) IS NULL
		AND array_position(names, NULL) IS NULL AND array_position(owners, NULL) IS NULL
		AND outcomes <@ ARRAY['SUCCESS', 'FAILURE', 'CANCELLED']));

-- One row per event, whichever way it is stored: what the relay reads, and what a person looks
-- at to see which events wait (outbox_id is the row to delete, id the event's).
CREATE VIEW autotask_outbox_event AS
SELECT outbox.id AS outbox_id, event.id, event.task_id, event.name, event.owner, event.outcome, event.result,
	event.error, outbox.created_at, outbox.attempts, outbox.sinks_done
FROM autotask_outbox AS outbox,
	unnest(coalesce(outbox.event_ids, ARRAY[outbox.id]), coalesce(outbox.task_ids, ARRAY[outbox.task_id]),
		coalesce(outbox.names, ARRAY[outbox.name]), coalesce(outbox.owners, ARRAY[outbox.owner]),
		coalesce(outbox.outcomes, ARRAY[outbox.outcome]), coalesce(outbox.results, ARRAY[outbox.result]),
		coalesce(outbox.errors, ARRAY[outbox.error]))
		AS event(id, task_id, name, owner, outcome, result, error);
