/**
 * What the starter's tests, and the sample's, share: context runners for an application with
 * autotask on the test database, {@link dev.autotask.boot.testsupport.ApplicationDatabase} for a
 * {@code @SpringBootTest} application, the REST API through MockMvc with its standard users, and
 * waits for a task to end. Shipped as the starter's test-jar.
 */
@NullMarked
package dev.autotask.boot.testsupport;

import org.jspecify.annotations.NullMarked;
