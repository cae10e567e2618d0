package dev.autotask;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * The entry point for starting tasks by name and following them.
 *
 * <p>
 * Tasks are usually started by calling a {@link dev.autotask.annotation.DelayedTask @DelayedTask}
 * method; this interface starts any registered task by its name, as Lime Task's
 * {@code send_task} does, and reads the status of a task by id. Every task belongs to the owner
 * (application or tenant) that started it, and only that owner can see it: for any other owner
 * a task is "not found", exactly like an id that never existed.
 *
 * <p>
 * Starting a task inside a Spring transaction on the same {@code DataSource} joins that
 * transaction: if it rolls back, the task is gone too.
 */
public interface Autotask {

	/**
	 * Start a registered task by name.
	 * @param name the task's name, as registered (see {@code @DelayedTask#name()})
	 * @param owner the application or tenant starting it; only it can see the task
	 * @param args the arguments, in the order of the task method's parameters
	 * @return a handle on the new task
	 * @throws IllegalArgumentException if no task has that name, the arguments do not fit the
	 * method's parameters, or they cannot be written as JSON; nothing is enqueued then
	 * @throws org.springframework.dao.DataAccessException if the database cannot be reached
	 * (a {@code DataAccessResourceFailureException} when the connection is refused or lost):
	 * nothing is enqueued, unless the connection was lost after the insert reached the database,
	 * which the caller cannot tell; send with a unique key to make a retry safe
	 */
	TaskHandle<Object> send(String name, String owner, Object... args);

	/**
	 * Start a registered task by name, with options.
	 * @param name the task's name
	 * @param options owner, delay, priority and unique key
	 * @param args the arguments, in the order of the task method's parameters
	 * @return a handle on the new task, or on the pending or running task with the same unique key
	 * @throws IllegalArgumentException if no task has that name or the arguments do not fit;
	 * nothing is enqueued then
	 * @throws org.springframework.dao.DataAccessException if the database cannot be reached, as
	 * for {@link #send(String, String, Object...)}
	 */
	TaskHandle<Object> send(String name, SendOptions options, Object... args);

	/**
	 * Start many tasks of one name with the same options, in one statement: the batch form of
	 * {@link #send(String, SendOptions, Object...)}. Like {@code send}, it joins the caller's
	 * Spring transaction on the same {@code DataSource}; the nodes are woken once, when it
	 * commits. Either every task is enqueued or none is.
	 * <pre class="code">
	 * autotask.sendAll("mail.send", SendOptions.owner("tenant-7"), users.stream().map((user) -&gt; new Object[] { user.id() }).toList());
	 * </pre>
	 * @param name the task's name
	 * @param options owner, delay and priority, shared by every task; a unique key is refused
	 * (each task would conflict with the others)
	 * @param argsList the arguments of each task, in the order of the task method's parameters
	 * @return a handle on each new task, in the order of {@code argsList}
	 * @throws IllegalArgumentException if no task has that name, the options carry a unique key,
	 * or the arguments of any element do not fit (the message names its index); nothing is
	 * enqueued then
	 * @see #send(String, SendOptions, Object...)
	 */
	List<TaskHandle<Object>> sendAll(String name, SendOptions options, List<Object[]> argsList);

	/**
	 * Start many tasks of one name as a group, with a callback task that runs once, when every
	 * member has ended, and takes the group's counts (a {@link TaskGroup}): a chord, or a batch
	 * callback. The group and its members are inserted in one transaction (the caller's, if any).
	 * Ends are counted in the transaction of each end, whatever ends it (a run, a cancel, a
	 * rescue after a node died, a delete), so that the callback is enqueued exactly once; a member
	 * retried in place before the callback counts as not ended.
	 * <pre class="code">
	 * TaskGroup group = autotask.sendGroup("imports.row", SendOptions.owner("tenant-7"), rows, "imports.done");
	 * autotask.group(group.id(), "tenant-7");   // its progress
	 * </pre>
	 * @param name the members' task
	 * @param options the members' options, their owner the group's and the callback's (no unique key)
	 * @param argsList each member's arguments, 1 to 100,000 members
	 * @param callback the callback task: one parameter, a {@link TaskGroup}
	 * @return the group, none of its members ended
	 * @throws IllegalArgumentException naming the problem, with nothing inserted: an unknown task
	 * or callback, a callback that does not take one {@code TaskGroup}, arguments that do not fit,
	 * a unique key, no members or too many
	 */
	TaskGroup sendGroup(String name, SendOptions options, List<Object[]> argsList, String callback);

	/**
	 * A group's progress: how many of its members ended how, and its callback once enqueued.
	 * @param id the group's id
	 * @param owner the owner asking
	 * @return the group, or empty if the owner has none of that id
	 */
	Optional<TaskGroup> group(long id, String owner);

	/**
	 * The owner's groups, newest first, a page at a time, each with when it was sent and how
	 * its callback stands: what the admin page lists. Pages are keyset-paged on the group's id,
	 * so that a deep page costs what the first does. Only the owner's groups are listed.
	 * <pre class="code">
	 * List&lt;GroupInfo&gt; newest = autotask.groups("tenant-7", null, 20);
	 * List&lt;GroupInfo&gt; older = autotask.groups("tenant-7", newest.get(newest.size() - 1).group().id(), 20);
	 * </pre>
	 * @param owner the owner asking
	 * @param before only groups with a smaller id, to continue after a page; {@code null} from
	 * the newest
	 * @param limit the most groups, 1 to 500
	 * @return the groups
	 * @throws IllegalArgumentException if the limit is out of range or {@code before} is not
	 * positive
	 * @see #group(long, String)
	 */
	List<GroupInfo> groups(String owner, @Nullable Long before, int limit);

	/**
	 * Start a task with arguments given as JSON, as the REST API and the admin page do. Numbers
	 * that are not finite, and arguments that do not fit the task method's parameters, are
	 * refused with a message that names the argument.
	 * @param name the task's name
	 * @param options owner, delay, priority, unique key and started-by user
	 * @param argsJson a JSON array (by position) or object (by parameter name)
	 * @return a handle on the new task
	 * @throws IllegalArgumentException if the name or arguments are not acceptable; nothing is
	 * enqueued then
	 * @see #send(String, SendOptions, Object...)
	 */
	TaskHandle<Object> sendJson(String name, SendOptions options, String argsJson);

	/**
	 * Cancel a task: a pending one at once, a running one by asking it to stop (it sees the
	 * request through {@link TaskContext#isCancellationRequested()}, and ends
	 * {@link TaskStatus#CANCELLED} when it stops because of it). A continuation chain is cancelled
	 * as a whole by the id of any of its links, the first one included: its pending link at once,
	 * its running link asked to stop, and no link is enqueued after it.
	 * @param id the task's id
	 * @param owner the owner asking
	 * @return the task's status after the request: {@code CANCELLED}, {@code RUNNING} (asked to
	 * stop), or the status it had already ended with; empty if no task has that id for that owner
	 */
	Optional<TaskStatus> cancel(long id, String owner);

	/**
	 * Give a failed or cancelled task one more attempt, now, under the same id: its attempts
	 * and rescues so far stay counted, and its last error shows until the new attempt ends.
	 * @param id the task's id
	 * @param owner the owner asking
	 * @return {@code PENDING} if it was retried; otherwise the status it has (a task that has not
	 * ended is not retried, nor one whose unique key another pending or running task holds);
	 * empty if no task has that id for that owner
	 * @see TaskAction#RETRY
	 */
	Optional<TaskStatus> retry(long id, String owner);

	/**
	 * Run a delayed task, or one backing off before a retry, now rather than at its time.
	 * @param id the task's id
	 * @param owner the owner asking
	 * @return the task's status after the request ({@code PENDING} and due now, or already
	 * {@code RUNNING}; a task that is not pending is left alone); empty if no task has that id
	 * for that owner
	 * @see TaskAction#RUN_NOW
	 */
	Optional<TaskStatus> runNow(long id, String owner);

	/**
	 * Delete a task that does not run, with its result and error.
	 * @param id the task's id
	 * @param owner the owner asking
	 * @return the status the task had: it is deleted unless that is {@code RUNNING} (cancel it
	 * first); empty if no task has that id for that owner
	 * @see TaskAction#DELETE
	 */
	Optional<TaskStatus> delete(long id, String owner);

	/**
	 * Find tasks across all names, newest first (by creation), a page at a time, with how many
	 * match in each status (up to {@link TaskPage#COUNT_CAP} each). Only the owner's tasks are
	 * found.
	 * <pre class="code">
	 * TaskQuery query = TaskQuery.builder().status(TaskStatus.FAILURE).queue("mail").build();
	 * TaskPage page = autotask.find(query, owner);
	 * TaskPage older = autotask.find(query.toBuilder().before(page.next()).build(), owner);
	 * </pre>
	 * @param query the criteria, cursor and page size
	 * @param owner the owner asking
	 * @return the page
	 * @throws IllegalArgumentException if {@link TaskQuery#argsContain()} is not a JSON object
	 * or array
	 */
	TaskPage find(TaskQuery query, String owner);

	/**
	 * Count every task of the owner that a query matches, by status, however many there are:
	 * what a bulk action is about to act on. It reads each match, unlike a page's capped counts.
	 * @param query the criteria (its statuses, cursor and page size left out)
	 * @param owner the owner asking
	 * @return the counts, statuses without tasks left out
	 * @throws IllegalArgumentException if {@link TaskQuery#argsContain()} is not a JSON object
	 * or array
	 */
	Map<TaskStatus, Long> count(TaskQuery query, String owner);

	/**
	 * Act on every task of the owner that a query matches (its cursor and page size left out)
	 * and that the action applies to, newest first, in batches of a short transaction each, so
	 * that many thousands of tasks neither lock the table nor hold a transaction open. Tasks
	 * that change meanwhile are left as they are.
	 * @param action what to do
	 * @param query which tasks
	 * @param owner the owner asking
	 * @return how many tasks matched and how many changed
	 */
	BulkResult bulk(TaskAction action, TaskQuery query, String owner);

	/**
	 * Read a task's current state.
	 * @param id the task's id
	 * @param owner the owner asking
	 * @return the task, or empty if no task has that id for that owner
	 */
	Optional<TaskInfo> status(long id, String owner);

	/**
	 * A chain of tasks continued with {@link TaskContext#repeat(Object...)}, by its first task.
	 * @param firstId the id of the chain's first task
	 * @param owner the owner asking
	 * @return the chain's tasks in order; empty if no task has that id for that owner
	 */
	List<TaskInfo> chain(long firstId, String owner);

	/**
	 * The last runs of a task of one owner, as the admin page's history shows them: those
	 * pending or running first, then the finished ones, newest first. Finished runs are kept
	 * for their TTL and, beyond it, the last {@code autotask.history.per-task}.
	 * @param name the task's name
	 * @param owner the owner asking
	 * @param limit the most runs to return, 1 to 1000
	 * @return the runs
	 * @throws IllegalArgumentException if no task has that name or the limit is out of range
	 */
	List<TaskInfo> history(String name, String owner, int limit);

	/**
	 * The periodic and cron tasks of this application, with their last and next fire.
	 * @return the schedules, ordered by task name
	 * @see #runtimeSchedules()
	 */
	List<ScheduleInfo> schedules();

	/**
	 * Pause a periodic or cron task on every node: until it is resumed, each of its fires is
	 * recorded as skipped and enqueues nothing, so that resuming it does not catch up on them.
	 * A run already enqueued goes on.
	 * @param task the scheduled task's name
	 * @return {@code true} if it is paused now; {@code false} if this application schedules no
	 * task of that name, and nothing was stored
	 */
	boolean pauseSchedule(String task);

	/**
	 * Resume a paused periodic or cron task on every node, from its next fire.
	 * @param task the scheduled task's name
	 * @return {@code true} if it runs now; {@code false} if this application schedules no task of
	 * that name, and nothing was stored
	 * @see #pauseSchedule(String)
	 */
	boolean resumeSchedule(String task);

	/**
	 * The schedules created at run time, owned by one owner each, next to the declared ones:
	 * create, change, delete, pause and list them.
	 * @return the schedules
	 * @see Schedules
	 */
	Schedules runtimeSchedules();

	/**
	 * The last fires of a periodic or cron task, newest first, with the task each enqueued.
	 * @param task the scheduled task's name
	 * @param limit how many, 1 to 100
	 * @return the fires; empty if it never fired or this application schedules no such task
	 * @throws IllegalArgumentException if the limit is out of range
	 */
	List<FireInfo> fires(String task, int limit);

	/**
	 * The queues of one owner: those its tasks are in, those tasks of this application are
	 * registered in, and the paused ones, each with the owner's tasks counted by status and
	 * whether it is paused. Other owners' tasks are not counted: they are visible nowhere.
	 * @param owner the owner asking
	 * @return the queues, ordered by name
	 */
	List<QueueInfo> queues(String owner);

	/**
	 * Every queue with the tasks of all owners counted together: the totals an operator's
	 * meters and endpoints show. Counts only, but of every owner: never show them to the users
	 * of one owner, who get {@link #queues(String)}.
	 * @return the queues, ordered by name
	 */
	List<QueueInfo> clusterQueues();

	/**
	 * A queue's recent activity for one owner, as the admin page charts it: the owner's tasks
	 * that succeeded and failed, and the queue's depth and oldest age, a point per minute over a
	 * window of up to two hours, or per longer bucket over a longer window (5 minutes up to 10
	 * hours, 15 minutes up to a day), so that there are never more than 120 points. The last
	 * point is the bucket the database clock is in, still filling. Another owner's tasks are
	 * not counted: for a queue the owner has no task in, every count is zero.
	 * <pre class="code">
	 * List&lt;QueuePoint&gt; hour = autotask.queueStats("mail", Duration.ofHours(1), owner); // 60 points
	 * List&lt;QueuePoint&gt; day = autotask.queueStats("mail", Duration.ofDays(1), owner); // 96 points
	 * </pre>
	 * Counts come from memory, flushed by each node with its heartbeat, and depth from a sample
	 * the leader takes every minute, so that reading them costs the task table nothing; they
	 * are kept for a day.
	 * @param queue the queue
	 * @param window how far back, from one minute to one day
	 * @param owner the owner asking
	 * @return the points, oldest first
	 * @throws IllegalArgumentException if the window is shorter than a minute or longer than a
	 * day, or the queue's name is blank or longer than 100 characters
	 */
	List<QueuePoint> queueStats(String queue, Duration window, String owner);

	/**
	 * Pause a queue on every node, for every owner: its pending tasks wait, running ones
	 * finish. Only a queue in use is paused: one a task of this application is registered in,
	 * one a task is in, or one paused or resumed before.
	 * @param queue the queue
	 * @return {@code true} if it is now paused; {@code false} if no task uses it, and nothing
	 * was stored
	 * @throws IllegalArgumentException if the name is blank or longer than 100 characters
	 */
	boolean pause(String queue);

	/**
	 * Resume a paused queue on every node.
	 * @param queue the queue
	 * @return {@code true} if it now runs; {@code false} if no task uses it, and nothing was
	 * stored
	 * @throws IllegalArgumentException if the name is blank or longer than 100 characters
	 * @see #pause(String)
	 */
	boolean resume(String queue);

	/**
	 * The owner used for tasks started without one, such as calls of
	 * {@code @DelayedTask} methods.
	 * @return the default owner
	 */
	String defaultOwner();

	/**
	 * The nodes alive now: those whose last heartbeat has not expired, on the database clock.
	 * @return the nodes, ordered by id
	 * @see #leader()
	 */
	List<NodeInfo> nodes();

	/**
	 * The node that leads the cluster now: it fires the schedules and runs the maintenance.
	 * @return its id, or empty while no node holds a valid lease (for up to one lease after a
	 * leader died)
	 */
	Optional<String> leader();

}
