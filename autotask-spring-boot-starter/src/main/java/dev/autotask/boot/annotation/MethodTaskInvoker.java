package dev.autotask.boot.annotation;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

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
			return this.method.invoke(this.bean, args);
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
