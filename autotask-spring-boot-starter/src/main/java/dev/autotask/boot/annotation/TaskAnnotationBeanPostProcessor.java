package dev.autotask.boot.annotation;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.autotask.TaskHandle;
import dev.autotask.annotation.DelayedTask;
import dev.autotask.task.TaskDefinition;
import dev.autotask.task.TaskParameter;
import dev.autotask.task.TaskRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.AbstractAdvisingBeanPostProcessor;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.annotation.AnnotationMatchingPointcut;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * Finds {@link DelayedTask @DelayedTask} methods on beans, registers each as a task, and
 * proxies the bean so that calling such a method enqueues it. A method that cannot work as a
 * task fails the start-up with a message naming it, rather than running inline unnoticed.
 */
public class TaskAnnotationBeanPostProcessor extends AbstractAdvisingBeanPostProcessor implements BeanFactoryAware {

	private final DelayedTaskInterceptor interceptor = new DelayedTaskInterceptor();

	private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

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
		Map<Method, DelayedTask> methods = MethodIntrospector.selectMethods(targetClass,
				(MethodIntrospector.MetadataLookup<DelayedTask>) (method) -> AnnotatedElementUtils
					.findMergedAnnotation(method, DelayedTask.class));
		if (methods.isEmpty()) {
			return bean;
		}
		methods.keySet().forEach((method) -> checkProxyable(targetClass, method));
		Object proxy = super.postProcessAfterInitialization(bean, beanName);
		Object target = target(bean);
		methods.forEach((method, annotation) -> {
			TaskDefinition definition = define(beanName, targetClass, method, annotation,
					new MethodTaskInvoker(proxy, method));
			registry().register(definition);
			this.interceptor.register(target, method, definition.name());
		});
		return proxy;
	}

	private void checkProxyable(Class<?> targetClass, Method method) {
		String problem = null;
		if (Modifier.isFinal(targetClass.getModifiers())) {
			problem = "its class is final";
		}
		else if (Modifier.isStatic(method.getModifiers())) {
			problem = "it is static";
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
			throw new IllegalStateException(
					"@DelayedTask method " + describe(method) + " cannot be proxied as a task: " + problem);
		}
	}

	private TaskDefinition define(String beanName, Class<?> targetClass, Method method, DelayedTask annotation,
			MethodTaskInvoker invoker) {
		String source = describe(method);
		String name = StringUtils.hasText(annotation.name()) ? annotation.name() : beanName + "." + method.getName();
		if (annotation.retries() < 0) {
			throw new IllegalStateException("@DelayedTask(retries = " + annotation.retries() + ") on " + source
					+ " must be zero or more");
		}
		Duration delay = duration(annotation.delay(), "delay", source);
		Duration ttl = duration(annotation.ttl(), "ttl", source);
		try {
			return new TaskDefinition(name, annotation.queue(), parameters(method), resultType(targetClass, method),
					annotation.retries() + 1, (delay != null) ? delay : Duration.ZERO, ttl, source, invoker);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("@DelayedTask on " + source + " is invalid: " + ex.getMessage(), ex);
		}
	}

	private List<TaskParameter> parameters(Method method) {
		String[] names = this.parameterNames.getParameterNames(method);
		Type[] types = method.getGenericParameterTypes();
		List<TaskParameter> parameters = new ArrayList<>(types.length);
		for (int i = 0; i < types.length; i++) {
			parameters.add(new TaskParameter((names != null) ? names[i] : "arg" + i, types[i]));
		}
		return parameters;
	}

	private static Type resultType(Class<?> targetClass, Method method) {
		if (method.getReturnType() == void.class) {
			return Void.class;
		}
		ResolvableType result = ResolvableType.forMethodReturnType(method, targetClass).as(TaskHandle.class).getGeneric(0);
		return (result.getType() instanceof Class<?> || result.hasGenerics()) ? result.getType() : Object.class;
	}

	private static @Nullable Duration duration(String value, String attribute, String source) {
		if (!StringUtils.hasText(value)) {
			return null;
		}
		try {
			return DurationStyle.detectAndParse(value);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("@DelayedTask(" + attribute + " = \"" + value + "\") on " + source
					+ " is not a duration; use e.g. 500ms, 10s, 5m, 1h, 7d or PT10S", ex);
		}
	}

	private static String describe(Method method) {
		return ClassUtils.getShortName(method.getDeclaringClass()) + "." + method.getName() + "("
				+ StringUtils.arrayToCommaDelimitedString(
						java.util.Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).toArray())
				+ ")";
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
