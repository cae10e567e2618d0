/**
 * JSON for task arguments, results and errors: one Jackson mapper, configured once, strict
 * where leniency would hide a changed signature. Internal; not API; may change in any
 * release.
 */
@NullMarked
package dev.autotask.internal.json;

import org.jspecify.annotations.NullMarked;
