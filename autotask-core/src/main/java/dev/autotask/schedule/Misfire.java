package dev.autotask.schedule;

/**
 * What a recurring task does about fires missed while no node was up to fire them.
 */
public enum Misfire {

	/** Run the latest missed fire once, as soon as a node is up. */
	RUN_ONCE,

	/** Skip missed fires and wait for the next one. */
	SKIP

}
