package dev.autotask.internal.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.sql.DataSource;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The SQL of {@code autotask_runtime_schedule} (V15): the schedules created at run time, each
 * scoped to its owner. Every statement but {@link #findAll()}, which the leader's firer reads,
 * names the owner, so that no owner reaches another's schedule.
 */
public final class RuntimeScheduleTable {

	/** The prefix of a runtime schedule's key in {@code autotask_fire}; its id follows. */
	public static final String KEY_PREFIX = "runtime:";

	private static final String COLUMNS = """
			id, owner, name, task, kind, expression, zone, args::text AS args, misfire, paused,
			created_at, updated_at""";

	// Its fires go with it: the id is never reused, so they would only be dead weight.
	private static final String DELETE = """
			WITH gone AS (
				DELETE FROM %1$s WHERE owner = :owner AND name = :name RETURNING id),
			fires AS (
				DELETE FROM %2$s AS fire USING gone WHERE fire.schedule = '%3$s' || gone.id)
			SELECT count(*) FROM gone""";

	private static final String FIND = "SELECT %2$s FROM %1$s WHERE owner = :owner AND name = :name";

	private static final String FIND_ALL = "SELECT %2$s FROM %1$s ORDER BY id";

	private static final String FIND_BY_OWNER = "SELECT %2$s FROM %1$s WHERE owner = :owner ORDER BY name";

	private static final String INSERT = """
			INSERT INTO %1$s (owner, name, task, kind, expression, zone, args, misfire)
			VALUES (:owner, :name, :task, :kind, :expression, :zone, CAST(:args AS jsonb), :misfire)
			RETURNING %2$s""";

	private static final String SET_PAUSED = """
			UPDATE %1$s SET paused = :paused, updated_at = now()
			WHERE owner = :owner AND name = :name""";

	private static final String UPDATE = """
			UPDATE %1$s
			SET task = :task, kind = :kind, expression = :expression, zone = :zone, args = CAST(:args AS jsonb),
				misfire = :misfire, updated_at = now()
			WHERE owner = :owner AND name = :name
			RETURNING %2$s""";

	private final JdbcClient jdbc;

	private final String delete;

	private final String find;

	private final String findAll;

	private final String findByOwner;

	private final String insert;

	private final String setPaused;

	private final String update;

	/**
	 * Create the table's SQL.
	 * @param dataSource the database
	 * @param names the table names
	 */
	public RuntimeScheduleTable(DataSource dataSource, TableNames names) {
		this.jdbc = JdbcClient.create(dataSource);
		String table = names.runtimeSchedule();
		this.delete = DELETE.formatted(table, names.fire(), KEY_PREFIX);
		this.find = FIND.formatted(table, COLUMNS);
		this.findAll = FIND_ALL.formatted(table, COLUMNS);
		this.findByOwner = FIND_BY_OWNER.formatted(table, COLUMNS);
		this.insert = INSERT.formatted(table, COLUMNS);
		this.setPaused = SET_PAUSED.formatted(table);
		this.update = UPDATE.formatted(table, COLUMNS);
	}

	/**
	 * Delete an owner's schedule, and its fires.
	 * @param owner the owner
	 * @param name the schedule's name
	 * @return whether it existed
	 */
	public boolean delete(String owner, String name) {
		return this.jdbc.sql(this.delete).param("owner", owner).param("name", name).query(Long.class).single() > 0;
	}

	/**
	 * Find an owner's schedule.
	 * @param owner the owner
	 * @param name the schedule's name
	 * @return the schedule, or empty if the owner has none of that name
	 */
	public Optional<Row> find(String owner, String name) {
		return this.jdbc.sql(this.find).param("owner", owner).param("name", name).query(RuntimeScheduleTable::row)
			.optional();
	}

	/**
	 * Every owner's schedules, for the firer.
	 * @return the schedules, by id
	 */
	public List<Row> findAll() {
		return this.jdbc.sql(this.findAll).query(RuntimeScheduleTable::row).list();
	}

	/**
	 * An owner's schedules.
	 * @param owner the owner
	 * @return the schedules, by name
	 */
	public List<Row> findByOwner(String owner) {
		return this.jdbc.sql(this.findByOwner).param("owner", owner).query(RuntimeScheduleTable::row).list();
	}

	/**
	 * Store a new schedule.
	 * @param schedule what to store; its id, pause and times are ignored
	 * @return the schedule as stored
	 * @throws org.springframework.dao.DuplicateKeyException if the owner has one of that name
	 */
	public Row insert(Row schedule) {
		return this.jdbc.sql(this.insert)
			.param("owner", schedule.owner())
			.param("name", schedule.name())
			.params(definition(schedule))
			.query(RuntimeScheduleTable::row)
			.single();
	}

	/**
	 * Pause or resume an owner's schedule.
	 * @param owner the owner
	 * @param name the schedule's name
	 * @param paused whether to pause it
	 * @return whether it exists
	 */
	public boolean setPaused(String owner, String name, boolean paused) {
		return this.jdbc.sql(this.setPaused)
			.param("owner", owner)
			.param("name", name)
			.param("paused", paused)
			.update() > 0;
	}

	/**
	 * Change what an owner's schedule fires and when; its pause and fires stay.
	 * @param schedule the owner, name and new definition
	 * @return the schedule as stored, or empty if the owner has none of that name
	 */
	public Optional<Row> update(Row schedule) {
		return this.jdbc.sql(this.update)
			.param("owner", schedule.owner())
			.param("name", schedule.name())
			.params(definition(schedule))
			.query(RuntimeScheduleTable::row)
			.optional();
	}

	private static Map<String, Object> definition(Row schedule) {
		return Map.of("task", schedule.task(), "kind", schedule.kind(), "expression", schedule.expression(),
				"zone", schedule.zone(), "args", schedule.args(), "misfire", schedule.misfire());
	}

	private static Row row(ResultSet rs, int row) throws SQLException {
		return new Row(rs.getLong("id"), rs.getString("owner"), rs.getString("name"), rs.getString("task"),
				rs.getString("kind"), rs.getString("expression"), rs.getString("zone"), rs.getString("args"),
				rs.getString("misfire"), rs.getBoolean("paused"),
				rs.getObject("created_at", OffsetDateTime.class).toInstant(),
				rs.getObject("updated_at", OffsetDateTime.class).toInstant());
	}

	/**
	 * A runtime schedule, as stored.
	 *
	 * @param id its id, which its fires are keyed by
	 * @param owner who owns it and its tasks
	 * @param name its name, unique per owner
	 * @param task the task it enqueues
	 * @param kind {@code CRON} or {@code EVERY}
	 * @param expression the cron expression, or the ISO-8601 period
	 * @param zone the zone a cron expression is read in
	 * @param args the task's arguments, a JSON array
	 * @param misfire {@code RUN_ONCE} or {@code SKIP}
	 * @param paused whether it is paused
	 * @param createdAt when it was created
	 * @param updatedAt when it last changed
	 */
	public record Row(long id, String owner, String name, String task, String kind, String expression, String zone,
			String args, String misfire, boolean paused, Instant createdAt, Instant updatedAt) {

		/**
		 * Its key in {@code autotask_fire}.
		 * @return the key
		 */
		public String key() {
			return KEY_PREFIX + this.id;
		}

	}

}
