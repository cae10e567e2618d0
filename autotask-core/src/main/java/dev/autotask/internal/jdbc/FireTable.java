package dev.autotask.internal.jdbc;

import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The SQL of {@code autotask_fire}: one row per fire of a schedule, which both remembers where
 * a schedule stands and makes each fire happen once.
 */
public final class FireTable {

	// Record the fire and, unless the previous run is still pending or running or the schedule is
	// paused (V9), enqueue its task, in one statement. The primary key on (schedule, fire_at) turns
	// a second fire of the same time, from a node that also believes it leads, into nothing at all. The task's id is drawn
	// first so that the fire row can name it: a statement cannot update a row it inserts.
	// A runtime schedule (V15, :runtimeId set) is busy while the task of its own last fire is,
	// not while any task of that name is (several schedules may fire one task with other
	// arguments); its pause is in its own row, and once that row is deleted it fires nothing.
	private static final String FIRE = """
			WITH next AS (
				SELECT nextval(pg_get_serial_sequence(:table, 'id')) AS id,
					CASE WHEN CAST(:runtimeId AS bigint) IS NULL THEN
						EXISTS (SELECT 1 FROM %2$s WHERE name = :name AND status IN ('PENDING', 'RUNNING'))
							OR EXISTS (SELECT 1 FROM %3$s WHERE name = :schedule AND paused)
					ELSE
						EXISTS (SELECT 1 FROM %2$s
							WHERE id = (SELECT task_id FROM %1$s WHERE schedule = :schedule AND task_id IS NOT NULL
								ORDER BY fire_at DESC LIMIT 1)
							AND status IN ('PENDING', 'RUNNING'))
							OR (SELECT paused FROM %4$s WHERE id = CAST(:runtimeId AS bigint))
					END AS busy
				WHERE CAST(:runtimeId AS bigint) IS NULL
					OR EXISTS (SELECT 1 FROM %4$s WHERE id = CAST(:runtimeId AS bigint))),
			fire AS (
				INSERT INTO %1$s (schedule, fire_at, skipped, task_id)
				SELECT :schedule, :fireAt, next.busy, CASE WHEN next.busy THEN NULL ELSE next.id END FROM next
				ON CONFLICT (schedule, fire_at) DO NOTHING
				RETURNING skipped, task_id),
			task AS (
				INSERT INTO %2$s (id, name, queue, owner, args, run_at, max_attempts, ttl) OVERRIDING SYSTEM VALUE
				SELECT fire.task_id, :name, :queue, :owner, CAST(:args AS jsonb), :fireAt, :maxAttempts,
					:ttlMillis * interval '1 millisecond'
				FROM fire WHERE NOT fire.skipped
				RETURNING id)
			SELECT (SELECT id FROM task) AS task_id, (SELECT count(*) FROM fire) AS fired,
				pg_notify(:channel, '')""";

	private static final String FIND_FIRES = """
			SELECT fire.fire_at, fire.task_id, task.status
			FROM %1$s AS fire
			LEFT JOIN %2$s AS task ON task.id = fire.task_id
			WHERE fire.schedule = :schedule
			ORDER BY fire.fire_at DESC
			LIMIT :limit""";

	private static final String FIND_PAUSED = "SELECT name FROM %s WHERE paused";

	private static final String LAST_FIRE = "SELECT max(fire_at) FROM %s WHERE schedule = :schedule";

	// The mark a new schedule counts from is its first row, skipped and with no task: not a
	// fire. A first row that enqueued a task (a schedule that starts now) is one.
	private static final String LAST_FIRED = """
			SELECT max(fire_at) FROM %1$s
			WHERE schedule = :schedule
				AND (task_id IS NOT NULL OR fire_at > (SELECT min(fire_at) FROM %1$s WHERE schedule = :schedule))""";

	// The anchor a new schedule counts from: a skipped fire at the given time.
	private static final String MARK = """
			INSERT INTO %s (schedule, fire_at, skipped) VALUES (:schedule, :fireAt, true)
			ON CONFLICT (schedule, fire_at) DO NOTHING""";

	private static final String NOW = "SELECT now()";

	private static final String SET_PAUSED = """
			INSERT INTO %s (name, paused, updated_at)
			VALUES (:name, :paused, now())
			ON CONFLICT (name) DO UPDATE SET paused = EXCLUDED.paused, updated_at = now()""";

	private final JdbcClient jdbc;

	private final TableNames names;

	private final String fire;

	private final String findFires;

	private final String findPaused;

	private final String setPaused;

	private final String lastFire;

	private final String lastFired;

	private final String mark;

	/**
	 * Create the table's SQL.
	 * @param dataSource the database
	 * @param names the table names
	 */
	public FireTable(DataSource dataSource, TableNames names) {
		this.jdbc = JdbcClient.create(dataSource);
		this.names = names;
		this.fire = FIRE.formatted(names.fire(), names.task(), names.schedule(), names.runtimeSchedule());
		this.findFires = FIND_FIRES.formatted(names.fire(), names.task());
		this.findPaused = FIND_PAUSED.formatted(names.schedule());
		this.setPaused = SET_PAUSED.formatted(names.schedule());
		this.lastFire = LAST_FIRE.formatted(names.fire());
		this.lastFired = LAST_FIRED.formatted(names.fire());
		this.mark = MARK.formatted(names.fire());
	}

	/**
	 * Fire a schedule once for a given time.
	 * @param fire what to fire
	 * @return what happened
	 */
	public Outcome fire(Fire fire) {
		return this.jdbc.sql(this.fire)
			.param("schedule", fire.schedule())
			.param("fireAt", OffsetDateTime.ofInstant(fire.fireAt(), java.time.ZoneOffset.UTC))
			.param("name", fire.taskName())
			.param("queue", fire.queue())
			.param("owner", fire.owner())
			.param("maxAttempts", fire.maxAttempts())
			.param("ttlMillis", fire.ttlMillis())
			.param("args", fire.args())
			.param("runtimeId", fire.runtimeId(), Types.BIGINT)
			.param("channel", this.names.channel())
			.param("table", this.names.task())
			.query((rs, row) -> {
				long taskId = rs.getLong("task_id");
				Long id = rs.wasNull() ? null : taskId;
				return new Outcome(rs.getLong("fired") == 1, id);
			})
			.single();
	}

	/**
	 * The last fire of a schedule, run or skipped.
	 * @param schedule the schedule
	 * @return its time, or empty for a schedule never seen
	 */
	public Optional<Instant> lastFire(String schedule) {
		return this.jdbc.sql(this.lastFire)
			.param("schedule", schedule)
			.query((rs, row) -> rs.getObject(1, OffsetDateTime.class))
			.optional()
			.map(OffsetDateTime::toInstant);
	}

	/**
	 * The last time a schedule fired, run or skipped, not counting the mark it counts from
	 * when first seen (see {@link #mark(String, Instant)}): what a person asking "when did
	 * it last fire?" means.
	 * @param schedule the schedule
	 * @return its time, or empty for a schedule that never fired
	 */
	public Optional<Instant> lastFired(String schedule) {
		return this.jdbc.sql(this.lastFired)
			.param("schedule", schedule)
			.query((rs, row) -> rs.getObject(1, OffsetDateTime.class))
			.optional()
			.map(OffsetDateTime::toInstant);
	}

	/**
	 * Record a skipped fire, the point a new schedule counts from.
	 * @param schedule the schedule
	 * @param at the time
	 */
	public void mark(String schedule, Instant at) {
		this.jdbc.sql(this.mark)
			.param("schedule", schedule)
			.param("fireAt", OffsetDateTime.ofInstant(at, java.time.ZoneOffset.UTC))
			.update();
	}

	/**
	 * The database's time now.
	 * @return now
	 */
	/**
	 * A schedule's last fires, newest first, with the status of the task each enqueued.
	 * @param schedule the schedule
	 * @param limit how many
	 * @return the fires
	 */
	public List<Fired> findFires(String schedule, int limit) {
		return this.jdbc.sql(this.findFires).param("schedule", schedule).param("limit", limit).query((rs, row) -> {
			long id = rs.getLong(2);
			Long taskId = rs.wasNull() ? null : id;
			return new Fired(rs.getObject(1, OffsetDateTime.class).toInstant(), taskId, rs.getString(3));
		}).list();
	}

	/**
	 * The schedules paused on every node.
	 * @return their names
	 */
	public Set<String> findPaused() {
		return Set.copyOf(this.jdbc.sql(this.findPaused).query(String.class).list());
	}

	/**
	 * Pause or resume a schedule on every node.
	 * @param schedule the schedule
	 * @param paused whether to pause it
	 */
	public void setPaused(String schedule, boolean paused) {
		this.jdbc.sql(this.setPaused).param("name", schedule).param("paused", paused).update();
	}

	public Instant now() {
		return this.jdbc.sql(NOW).query((rs, row) -> rs.getObject(1, OffsetDateTime.class)).single().toInstant();
	}

	/**
	 * One fire of a schedule.
	 *
	 * @param schedule the schedule's key: a declared schedule's task name, or {@code runtime:<id>}
	 * @param fireAt the fire time
	 * @param taskName the task to enqueue
	 * @param queue its queue
	 * @param owner its owner
	 * @param maxAttempts its attempts
	 * @param ttlMillis how long its outcome is kept
	 * @param args its arguments, a JSON array
	 * @param runtimeId the id of the runtime schedule fired, or {@code null} for a declared one
	 */
	public record Fire(String schedule, Instant fireAt, String taskName, String queue, String owner, int maxAttempts,
			long ttlMillis, String args, @Nullable Long runtimeId) {

		/**
		 * The fire of a declared schedule, whose task takes no arguments.
		 * @param schedule the schedule's name (the task's name)
		 * @param fireAt the fire time
		 * @param taskName the task to enqueue
		 * @param queue its queue
		 * @param owner its owner
		 * @param maxAttempts its attempts
		 * @param ttlMillis how long its outcome is kept
		 */
		public Fire(String schedule, Instant fireAt, String taskName, String queue, String owner, int maxAttempts,
				long ttlMillis) {
			this(schedule, fireAt, taskName, queue, owner, maxAttempts, ttlMillis, "[]", null);
		}

	}

	/**
	 * What a fire did.
	 *
	 * @param fired whether this call recorded the fire (false if another node already had)
	 * @param taskId the task enqueued, or {@code null} if none (already fired, or skipped
	 * because the previous run was still busy)
	 */
	public record Outcome(boolean fired, Long taskId) {

	}

	/**
	 * A fire, as recorded.
	 *
	 * @param fireAt its time
	 * @param taskId the task it enqueued, or {@code null} if it was skipped
	 * @param status that task's status, or {@code null} if none or pruned
	 */
	public record Fired(Instant fireAt, @Nullable Long taskId, @Nullable String status) {

	}

}
