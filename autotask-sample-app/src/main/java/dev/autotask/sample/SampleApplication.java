package dev.autotask.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A shop back office whose slow work runs as autotask tasks. Run it with
 * {@code ./mvnw -pl autotask-sample-app -am spring-boot:run}: with no
 * {@code spring.datasource.url} it starts an embedded PostgreSQL of its own.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
