package dev.autotask.task;

import java.lang.reflect.Type;

/**
 * One declared parameter of a task.
 *
 * @param name the parameter's name, as compiled with {@code -parameters} (else {@code arg0}...)
 * @param type its generic type, which the JSON argument is read back into
 */
public record TaskParameter(String name, Type type) {

	@Override
	public String toString() {
		return this.type.getTypeName() + " " + this.name;
	}

}
