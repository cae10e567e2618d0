/**
 * JSON for task arguments, results and errors: one Jackson mapper, configured once, strict
 * where leniency would hide a changed signature.
 */
@NullMarked
package dev.autotask.json;

import org.jspecify.annotations.NullMarked;
