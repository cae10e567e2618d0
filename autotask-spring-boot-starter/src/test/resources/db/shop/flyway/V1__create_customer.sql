-- An application's own first migration, for tests that start an application beside autotask.
CREATE TABLE customer (
	id bigint PRIMARY KEY,
	name text NOT NULL
);
