-- autotask schema, version 6: cancellation is an end with an event, like success and failure.

-- A task cancelled while it waited, or stopped because it was asked to, ends CANCELLED; its
-- event is written in the same statement as that end, as for the other ends.
ALTER TABLE autotask_outbox DROP CONSTRAINT autotask_outbox_outcome_check;
ALTER TABLE autotask_outbox ADD CONSTRAINT autotask_outbox_outcome_check
	CHECK (outcome IN ('SUCCESS', 'FAILURE', 'CANCELLED'));
