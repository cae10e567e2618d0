package dev.autotask.boot.annotation;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.Set;

import dev.autotask.TaskHandle;
import dev.autotask.annotation.CronTask;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.annotation.PeriodicTask;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.AbstractAdvisingBeanPostProcessor;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Finds {@link DelayedTask @DelayedTask}, {@link PeriodicTask @PeriodicTask} and
 * {@link CronTask @CronTask} methods on beans and registers each as a task. Beans with
 * {@code @DelayedTask} methods are proxied so that calling such a method enqueues it. A method
 * that cannot work as a task fails the start-up with a message naming it, rather than running
 * inline unnoticed.
 */
public class TaskAnnotationBeanPostProcessor extends AbstractAdvisingBeanPostProcessor implements BeanFactoryAware {

	private static final Set<Class<? extends Annotation>> TASK_ANNOTATIONS = Set.of(DelayedTask.class,
			PeriodicTask.class, CronTask.class);

	private final DelayedTaskInterceptor interceptor = new DelayedTaskInterceptor();

	private final TaskDefinitionReader reader = new TaskDefinitionReader();

	private @Nullable BeanFactory beanFactory;

	private @Nullable TaskRegistry registry;

	/**
	 * Create the post-processor.
	 */
	public TaskAnnotationBeanPostProcessor() {
		this.advisor = new DefaultPointcutAdvisor(new AnnotationMatchingPointcut(null, DelayedTask.class, true),
				this.interceptor);
		// Outermost, so that a call is enqueued before any other advice runs in the caller's thread.
		setBeforeExistingAdvisors(true);
		setProxyTargetClass(true);
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
		this.interceptor.setBeanFactory(beanFactory);
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		Class<?> targetClass = AopUtils.getTargetClass(bean);
		Map<Method, Set<Class<? extends Annotation>>> methods = MethodIntrospector.selectMethods(targetClass,
				(MethodIntrospector.MetadataLookup<Set<Class<? extends Annotation>>>) (method) -> {
					Set<Class<? extends Annotation>> found = TASK_ANNOTATIONS.stream()
						.filter((type) -> AnnotatedElementUtils.hasAnnotation(method, type))
						.collect(java.util.stream.Collectors.toSet());
					return found.isEmpty() ? null : found;
				});
		if (methods.isEmpty()) {
			return bean;
		}
		methods.forEach((method, annotations) -> check(targetClass, method, annotations));
		boolean delayed = methods.values().stream().anyMatch((found) -> found.contains(DelayedTask.class));
		Object proxy = delayed ? super.postProcessAfterInitialization(bean, beanName) : bean;
		Object target = target(bean);
		methods.forEach((method, annotations) -> register(beanName, targetClass, method, proxy, target));
		return proxy;
	}

	private void register(String beanName, Class<?> targetClass, Method method, Object proxy, Object target) {
		DelayedTask delayed = AnnotatedElementUtils.findMergedAnnotation(method, DelayedTask.class);
		if (delayed != null) {
			TaskDefinition task = this.reader.read(beanName, targetClass, method, delayed,
					new MethodTaskInvoker(proxy, method));
			registry().register(task);
			this.interceptor.register(target, method, task.name());
			return;
		}
		Method invocable = AopUtils.selectInvocableMethod(method, proxy.getClass());
		ReflectionUtils.makeAccessible(invocable);
		MethodTaskInvoker invoker = new MethodTaskInvoker(proxy, invocable);
		PeriodicTask periodic = AnnotatedElementUtils.findMergedAnnotation(method, PeriodicTask.class);
		if (periodic != null) {
			TaskDefinition task = this.reader.read(beanName, targetClass, method, periodic, invoker);
			registry().register(task, this.reader.schedule(task, method, periodic));
			return;
		}
		CronTask cron = AnnotatedElementUtils.findMergedAnnotation(method, CronTask.class);
		TaskDefinition task = this.reader.read(beanName, targetClass, method, cron, invoker);
		registry().register(task, this.reader.schedule(task, method, cron));
	}

	private void check(Class<?> targetClass, Method method, Set<Class<? extends Annotation>> annotations) {
		String source = TaskDefinitionReader.describe(method);
		if (annotations.size() > 1) {
			throw new IllegalStateException("Method " + source + " has more than one task annotation: "
					+ annotations.stream().map(Class::getSimpleName).sorted().toList() + "; keep one");
		}
		if (Modifier.isStatic(method.getModifiers())) {
			throw new IllegalStateException("Task method " + source + " must not be static");
		}
		if (annotations.contains(DelayedTask.class)) {
			checkProxyable(targetClass, method, source);
		}
		else if (method.getParameterCount() > 0) {
			throw new IllegalStateException("Scheduled task method " + source
					+ " must take no parameters: a schedule has no arguments to give it");
		}
	}

	private static void checkProxyable(Class<?> targetClass, Method method, String source) {
		String problem = null;
		if (Modifier.isFinal(targetClass.getModifiers())) {
			problem = "its class is final";
		}
		else if (!Modifier.isPublic(method.getModifiers())) {
			problem = "it is not public";
		}
		else if (Modifier.isFinal(method.getModifiers())) {
			problem = "it is final";
		}
		else if (method.getReturnType() != void.class && method.getReturnType() != TaskHandle.class) {
			problem = "it returns " + method.getReturnType().getSimpleName() + "; a task returns void or TaskHandle<R>";
		}
		if (problem != null) {
			throw new IllegalStateException("@DelayedTask method " + source + " cannot be proxied as a task: " + problem);
		}
	}

	private static Object target(Object bean) {
		if (bean instanceof Advised advised) {
			try {
				Object target = advised.getTargetSource().getTarget();
				if (target != null) {
					return target;
				}
			}
			catch (Exception ex) {
				throw new IllegalStateException("Cannot read the target of proxied bean " + bean.getClass(), ex);
			}
		}
		return bean;
	}

	private TaskRegistry registry() {
		if (this.registry == null) {
			if (this.beanFactory == null) {
				throw new IllegalStateException("TaskAnnotationBeanPostProcessor needs a BeanFactory");
			}
			this.registry = this.beanFactory.getBean(TaskRegistry.class);
		}
		return this.registry;
	}

}
