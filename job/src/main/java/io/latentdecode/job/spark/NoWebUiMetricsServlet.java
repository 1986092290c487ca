package io.latentdecode.job.spark;

import com.codahale.metrics.MetricRegistry;
import java.util.Properties;
import org.apache.spark.SparkConf;
import org.apache.spark.metrics.sink.MetricsServlet;
import org.sparkproject.jetty.ee10.servlet.ServletContextHandler;

/**
 * Spark's metrics servlet for a driver without a web UI. Spark builds the driver's servlet handler
 * (Jetty's servlet context, its MIME tables) during its start even when no UI will serve it; this
 * one has none to build. The servlet's only output is that handler's JSON page, so nothing is lost;
 * other metrics sinks a user configures are untouched. Named by {@code
 * spark.metrics.conf.driver.sink.servlet.class} in an embedded run whose UI is off ({@link
 * SparkSessions#defaults}).
 */
public final class NoWebUiMetricsServlet extends MetricsServlet {
  public NoWebUiMetricsServlet(Properties property, MetricRegistry registry) {
    super(property, registry);
  }

  @Override
  public ServletContextHandler[] getHandlers(SparkConf conf) {
    return new ServletContextHandler[0];
  }
}
