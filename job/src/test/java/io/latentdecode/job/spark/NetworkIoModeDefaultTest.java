package io.latentdecode.job.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An embedded session's sockets use Java's NIO, not Netty's native epoll (a library unpacked and
 * loaded at each start); executors in JVMs of their own keep Spark's default; a user's setting
 * wins.
 */
class NetworkIoModeDefaultTest {
  private static final String KEY = "spark.io.mode.default";

  @Test
  void anEmbeddedSessionUsesNioAndAClusterKeepsSparksDefault() {
    assertThat(SparkSessions.defaults("local[*]", Map.of())).containsEntry(KEY, "NIO");
    assertThat(SparkSessions.defaults("local", Map.of())).containsEntry(KEY, "NIO");
    assertThat(SparkSessions.defaults("local-cluster[2,1,1024]", Map.of())).doesNotContainKey(KEY);
    assertThat(SparkSessions.defaults("yarn", Map.of())).doesNotContainKey(KEY);
    assertThat(SparkSessions.defaults("local[2]", Map.of(KEY, "EPOLL"))).doesNotContainKey(KEY);
  }
}
