package dev.autotask.boot.annotation;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.autotask.Autotask;
import dev.autotask.TaskHandle;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.core.BridgeMethodResolver;

/**
 * Turns a call of a {@code @DelayedTask} method into an enqueued task and hands the caller a
 * {@link TaskHandle} (or nothing, for a {@code void} method).
 */
final class DelayedTaskInterceptor implements MethodInterceptor {

	private final Map<Key, String> taskNames = new ConcurrentHashMap<>();

	private @Nullable BeanFactory beanFactory;

	private volatile @Nullable Autotask autotask;

	void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	void register(Object target, Method method, String taskName) {
		this.taskNames.put(new Key(target, method), taskName);
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Method method = BridgeMethodResolver.findBridgedMethod(AopUtils.getMostSpecificMethod(invocation.getMethod(),
				(target != null) ? AopUtils.getTargetClass(target) : invocation.getMethod().getDeclaringClass()));
		if (MethodTaskInvoker.consumeInline(method)) {
			return invocation.proceed();
		}
		String name = (target != null) ? this.taskNames.get(new Key(target, method)) : null;
		if (name == null) {
			// Not a registered bean (created outside the context): run it as written.
			return invocation.proceed();
		}
		Autotask autotask = autotask();
		TaskHandle<Object> handle = autotask.send(name, autotask.defaultOwner(),
				MethodTaskInvoker.withoutContext(method, invocation.getArguments()));
		return (method.getReturnType() == void.class) ? null : handle;
	}

	private Autotask autotask() {
		Autotask autotask = this.autotask;
		if (autotask == null) {
			if (this.beanFactory == null) {
				throw new IllegalStateException("@DelayedTask called before the application context was ready");
			}
			autotask = this.beanFactory.getBean(Autotask.class);
			this.autotask = autotask;
		}
		return autotask;
	}

	/**
	 * A task method of one bean instance: two beans of one class are two tasks.
	 */
	private record Key(Object target, Method method) {

		@Override
		public boolean equals(@Nullable Object other) {
			return (other instanceof Key key) && key.target == this.target && key.method.equals(this.method);
		}

		@Override
		public int hashCode() {
			return 31 * System.identityHashCode(this.target) + this.method.hashCode();
		}

	}

}
