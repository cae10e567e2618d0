-- autotask schema, version 26: autovacuum for tables that churn like queues. Every task row is
-- inserted, updated when claimed and when it ends, and deleted once its TTL has passed; every
-- event row is inserted and deleted within a second. PostgreSQL's defaults vacuum a table once a
-- fifth of it is dead, and analyze it once a tenth has changed, at a pace meant for tables that
-- mostly grow. Here that left millions of dead rows in front of the claims (a 4-minute soak at
-- 20,000 tasks/s: 4.7 million dead rows, two autovacuums, throughput down to a third), and
-- statistics from before a burst.
--
-- Vacuum and analyze once 2% (plus a thousand rows) has changed, and let autovacuum do ten times
-- the work of its default between its pauses. ALTER TABLE ... SET takes a lock that does not block
-- reads or writes. A DBA may change these as for any table; a later migration will not reset them.
ALTER TABLE autotask_task SET (
	autovacuum_vacuum_scale_factor = 0.02,
	autovacuum_vacuum_threshold = 1000,
	autovacuum_vacuum_insert_scale_factor = 0.02,
	autovacuum_analyze_scale_factor = 0.02,
	autovacuum_analyze_threshold = 1000,
	autovacuum_vacuum_cost_limit = 2000);

ALTER TABLE autotask_outbox SET (
	autovacuum_vacuum_scale_factor = 0.02,
	autovacuum_vacuum_threshold = 1000,
	autovacuum_vacuum_cost_limit = 2000);
