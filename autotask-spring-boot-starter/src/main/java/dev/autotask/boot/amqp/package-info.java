/**
 * Task events sent to RabbitMQ, with Spring AMQP.
 */
@NullMarked
package dev.autotask.boot.amqp;

import org.jspecify.annotations.NullMarked;
