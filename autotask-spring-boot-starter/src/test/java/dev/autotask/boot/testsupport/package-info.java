/**
 * What the starter's tests share: context runners for an application with autotask on the
 * test database, and a MockMvc client of the REST API with its standard users.
 */
@NullMarked
package dev.autotask.boot.testsupport;

import org.jspecify.annotations.NullMarked;
