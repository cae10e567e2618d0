-- autotask schema, version 5: how far each waiting event got through the sinks.

-- How many of the relay's sinks, in their order, already took the event. A batch that a later
-- sink refused stays in the outbox with this count, so that whichever node publishes it next
-- offers it only to the sinks that have not had it: an application's own listeners hear of an
-- event once, even when the broker behind a later sink is down and another node takes over.
ALTER TABLE autotask_outbox ADD COLUMN sinks_done smallint NOT NULL DEFAULT 0;
