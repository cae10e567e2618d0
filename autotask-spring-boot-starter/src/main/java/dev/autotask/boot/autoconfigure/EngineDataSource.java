package dev.autotask.boot.autoconfigure;

import javax.sql.DataSource;

import org.springframework.beans.factory.NoUniqueBeanDefinitionException;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Picks the one {@link DataSource} for everything autotask does, as Boot's Flyway picks its
 * own: the one marked {@link AutotaskDataSource @AutotaskDataSource}, else the application's
 * only or primary one.
 */
final class EngineDataSource {

	private EngineDataSource() {
	}

	/**
	 * The DataSource autotask uses. Several and none of them chosen fail the start-up with a
	 * message naming the fix: backing off instead would leave the application's beans that
	 * inject {@code Autotask} failing with less to go on.
	 * @param autotaskDataSource the DataSource marked {@code @AutotaskDataSource}, if any
	 * @param dataSources all DataSources
	 * @return the DataSource
	 */
	static DataSource resolve(ObjectProvider<DataSource> autotaskDataSource, ObjectProvider<DataSource> dataSources) {
		DataSource qualified;
		try {
			qualified = autotaskDataSource.getIfAvailable();
		}
		catch (NoUniqueBeanDefinitionException ex) {
			throw new IllegalStateException("Only one DataSource may be marked @AutotaskDataSource, but "
					+ ex.getNumberOfBeansFound() + " are: " + ex.getBeanNamesFound(), ex);
		}
		if (qualified != null) {
			return qualified;
		}
		try {
			return dataSources.getObject();
		}
		catch (NoUniqueBeanDefinitionException ex) {
			throw new IllegalStateException("autotask needs one DataSource, but the application has "
					+ ex.getNumberOfBeansFound() + " " + ex.getBeanNamesFound()
					+ " and none is marked @AutotaskDataSource or @Primary. Mark the one for autotask's tables with @"
					+ AutotaskDataSource.class.getName() + ", or make the application's main one @Primary.", ex);
		}
	}

}
