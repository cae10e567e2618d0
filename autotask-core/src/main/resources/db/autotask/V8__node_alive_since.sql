-- Since when a node has been alive without a break: set when it registers, and again by a
-- heartbeat that finds the node's own row lapsed (the node lost the database, or stalled, for
-- longer than its time to live). A node rescues other nodes' tasks only once it has been alive
-- that long again: after an outage every node looks dead until its next heartbeat, and the live
-- ones must have had the time to send it before their tasks are judged orphans.
ALTER TABLE autotask_node ADD COLUMN alive_since timestamptz NOT NULL DEFAULT now();
