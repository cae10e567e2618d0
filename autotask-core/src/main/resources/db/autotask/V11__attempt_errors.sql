-- The error of each failed attempt, oldest first, kept when a retry or a rescue writes the next
-- one over error: [{"attempt": 1, "at": ..., "node": ..., "type": ..., "message": ...}, ...].
-- Stack traces stay in error, for the last attempt only, so that the history stays small.
ALTER TABLE autotask_task ADD COLUMN attempt_errors jsonb;
