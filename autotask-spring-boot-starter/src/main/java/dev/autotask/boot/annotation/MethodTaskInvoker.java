package dev.autotask.boot.annotation;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

import dev.autotask.TaskContext;
import dev.autotask.task.TaskInvoker;
import org.jspecify.annotations.Nullable;

/**
 * Runs a task by calling its method on the bean, through the bean's proxy so that the bean's
 * other advice ({@code @Transactional}, say) applies to the run. A marker on the worker
 * thread tells {@link DelayedTaskInterceptor} to let this one call through instead of
 * enqueueing it again; calls the task itself makes to other task methods are enqueued as
 * usual.
 */
final class MethodTaskInvoker implements TaskInvoker {

	private static final ThreadLocal<@Nullable Method> INLINE = new ThreadLocal<>();

	private final Object bean;

	private final Method method;

	MethodTaskInvoker(Object bean, Method method) {
		this.bean = bean;
		this.method = method;
	}

	@Override
	public @Nullable Object invoke(@Nullable Object[] args) throws Exception {
		INLINE.set(this.method);
		try {
			return this.method.invoke(this.bean, withContext(this.method, args));
		}
		catch (InvocationTargetException ex) {
			Throwable cause = ex.getCause();
			if (cause instanceof Exception exception) {
				throw exception;
			}
			if (cause instanceof Error error) {
				throw error;
			}
			throw ex;
		}
		finally {
			INLINE.remove();
		}
	}

	/**
	 * The method's arguments with the running task's context put where it declares a
	 * {@link TaskContext} parameter.
	 */
	private static @Nullable Object[] withContext(Method method, @Nullable Object[] args) {
		Class<?>[] types = method.getParameterTypes();
		if (types.length == args.length) {
			return args;
		}
		@Nullable Object[] all = new Object[types.length];
		int next = 0;
		for (int i = 0; i < types.length; i++) {
			all[i] = (types[i] == TaskContext.class) ? TaskContext.current().orElse(null) : args[next++];
		}
		return all;
	}

	/**
	 * A call's arguments without those for {@link TaskContext} parameters, which are not
	 * stored.
	 */
	static @Nullable Object[] withoutContext(Method method, @Nullable Object[] args) {
		Class<?>[] types = method.getParameterTypes();
		if (java.util.Arrays.stream(types).noneMatch((type) -> type == TaskContext.class)) {
			return args;
		}
		java.util.List<@Nullable Object> stored = new java.util.ArrayList<>();
		for (int i = 0; i < types.length; i++) {
			if (types[i] != TaskContext.class) {
				stored.add(args[i]);
			}
		}
		return stored.toArray();
	}

	/**
	 * Whether the call of {@code method} now intercepted is a worker running the task, in which
	 * case the marker is consumed so that nested calls are enqueued.
	 */
	static boolean consumeInline(Method method) {
		Method inline = INLINE.get();
		if (inline != null && inline.equals(method)) {
			INLINE.remove();
			return true;
		}
		return false;
	}

}
