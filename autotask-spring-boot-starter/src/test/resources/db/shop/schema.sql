-- An application's own schema script (spring.sql.init), for tests that start an application beside autotask.
CREATE TABLE IF NOT EXISTS customer (
	id bigint PRIMARY KEY,
	name text NOT NULL
);
