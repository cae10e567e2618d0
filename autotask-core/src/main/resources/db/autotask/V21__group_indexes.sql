-- autotask schema, version 21: the indexes that list an owner's groups (Autotask.groups) and
-- find a group's members (TaskQuery.group), each a range of one index however many groups and
-- tasks the other owners have.

-- An owner's groups, newest first, keyset-paged on id.
CREATE INDEX autotask_group_owner_idx ON autotask_group (owner, id);

-- A group's members in the console's order, per status. It holds members alone: the tasks sent
-- without a group are not in it.
CREATE INDEX autotask_task_group_idx ON autotask_task (group_id, status, created_at, id)
	WHERE group_id IS NOT NULL;
