package dev.autotask.bench;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * A {@link DataSource} that counts and times every prepared statement it runs, by the first words
 * of its SQL, as the client sees them (round trip and commit included). For profiling only: it
 * adds a proxy call per JDBC call.
 */
final class StatementTimer extends DelegatingDataSource {

	private final Map<String, Tally> tallies = new ConcurrentHashMap<>();

	StatementTimer(DataSource target) {
		super(target);
	}

	@Override
	public Connection getConnection() throws SQLException {
		Connection connection = obtainTargetDataSource().getConnection();
		return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
				(proxy, method, args) -> {
					Object result = invoke(connection, method, args);
					if (result instanceof PreparedStatement statement && method.getName().equals("prepareStatement")) {
						return timed(statement, (String) args[0]);
					}
					return result;
				});
	}

	private PreparedStatement timed(PreparedStatement statement, String sql) {
		Tally tally = this.tallies.computeIfAbsent(label(sql), (key) -> new Tally());
		InvocationHandler handler = (proxy, method, args) -> {
			if (!method.getName().startsWith("execute")) {
				return invoke(statement, method, args);
			}
			long start = System.nanoTime();
			try {
				return invoke(statement, method, args);
			}
			finally {
				tally.calls.increment();
				tally.nanos.add(System.nanoTime() - start);
			}
		};
		return (PreparedStatement) Proxy.newProxyInstance(getClass().getClassLoader(),
				new Class<?>[] { PreparedStatement.class }, handler);
	}

	private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}

	/**
	 * The statement's first words, enough to tell autotask's statements apart.
	 */
	private static String label(String sql) {
		String flat = sql.replaceAll("\\s+", " ").trim();
		if (flat.startsWith("WITH inserted")) {
			return "INSERT + pg_notify (enqueue)";
		}
		if (flat.contains("SKIP LOCKED")) {
			return "UPDATE ... SKIP LOCKED (claim)";
		}
		if (flat.contains("status = 'SUCCESS'")) {
			return "UPDATE ... SUCCESS (complete)";
		}
		return flat.substring(0, Math.min(60, flat.length()));
	}

	void reset() {
		this.tallies.clear();
	}

	List<String> report(int tasks) {
		List<String> lines = new ArrayList<>();
		this.tallies.entrySet()
			.stream()
			.sorted((a, b) -> Long.compare(b.getValue().nanos.sum(), a.getValue().nanos.sum()))
			.forEach((entry) -> {
				long calls = entry.getValue().calls.sum();
				double millis = entry.getValue().nanos.sum() / 1e6;
				lines.add(String.format(Locale.ROOT, "%-32s %8d calls  %6.3f per task  %7.3f ms each  %9.0f ms in all",
						entry.getKey(), calls, (double) calls / tasks, millis / Math.max(1, calls), millis));
			});
		return lines;
	}

	private static final class Tally {

		private final LongAdder calls = new LongAdder();

		private final LongAdder nanos = new LongAdder();

	}

}
