package io.latentdecode.job.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/**
 * An embedded session without a web UI gets a driver metrics servlet that builds no Jetty handler;
 * with the UI on, on a cluster, or where the user names a servlet, Spark's own stays.
 */
class MetricsServletDefaultTest {
  private static final String KEY = "spark.metrics.conf.driver.sink.servlet.class";

  @Test
  void anEmbeddedSessionWithoutUiGetsTheServletWithoutHandlers() {
    String ours = NoWebUiMetricsServlet.class.getName();
    assertThat(SparkSessions.defaults("local[*]", Map.of())).containsEntry(KEY, ours);
    assertThat(SparkSessions.defaults("local[*]", Map.of("spark.ui.enabled", "true")))
        .doesNotContainKey(KEY);
    assertThat(SparkSessions.defaults("yarn", Map.of())).doesNotContainKey(KEY);
    assertThat(SparkSessions.defaults("local[2]", Map.of(KEY, "my.Servlet")))
        .doesNotContainKey(KEY);
  }

  @Test
  void itBuildsNoHandlerWithTheConstructorSparkCalls() throws Exception {
    NoWebUiMetricsServlet servlet =
        NoWebUiMetricsServlet.class
            .getConstructor(Properties.class, MetricRegistry.class)
            .newInstance(new Properties(), new MetricRegistry());

    assertThat(servlet.getHandlers(new SparkConf(false))).isEmpty();
  }
}
