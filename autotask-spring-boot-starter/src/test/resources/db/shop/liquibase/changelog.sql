--liquibase formatted sql

--changeset shop:1
-- An application's own first change set, for tests that start an application beside autotask.
CREATE TABLE customer (
	id bigint PRIMARY KEY,
	name text NOT NULL
);
