package dev.autotask.boot.autoconfigure;

import java.util.Set;

import dev.autotask.Autotask;
import dev.autotask.test.TaskTesting;

import org.springframework.boot.sql.init.dependency.AbstractBeansOfTypeDependsOnDatabaseInitializationDetector;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitializationDetector;

/**
 * A {@link DependsOnDatabaseInitializationDetector} for the beans that use autotask's tables:
 * the {@link Autotask} API, which an application's bean may call as soon as it is injected, the
 * engine and {@link TaskTesting}. Each is created only after every database initializer, the
 * application's and autotask's own.
 */
class AutotaskDependsOnDatabaseInitializationDetector
		extends AbstractBeansOfTypeDependsOnDatabaseInitializationDetector {

	@Override
	protected Set<Class<?>> getDependsOnDatabaseInitializationBeanTypes() {
		return Set.of(Autotask.class, EngineLifecycle.class, TaskTesting.class);
	}

}
