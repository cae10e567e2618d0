-- autotask schema, version 8: a task carries the trace context of the request that enqueued it.

-- What the application's propagator wrote at enqueue (W3C traceparent and tracestate, say), as
-- a JSON object of strings, so that the worker's observation joins the same trace. NULL when no
-- tracer is configured; a nullable column with no default rewrites no row.
ALTER TABLE autotask_task ADD COLUMN trace_context jsonb;
