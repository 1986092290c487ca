package io.latentdecode.job.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.udf.model.MallocSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * glibc's allocator settings reach every process that decodes: local runs through the launcher,
 * cluster executors through {@code spark.executorEnv}; a value the user set wins.
 */
class MallocSettingsTest {
  @Test
  void theLauncherExportsTheSameTunablesUnlessTheyAreSet() throws Exception {
    String launcher = Files.readString(Path.of("src/main/sh/latent-decode"));

    assertThat(launcher)
        .contains("if [ -z \"${GLIBC_TUNABLES+set}\" ]; then")
        .contains("GLIBC_TUNABLES=" + MallocSettings.TUNABLES + "\n")
        .contains("export GLIBC_TUNABLES");
  }

  @Test
  void clusterExecutorsGetThemAndTasksInThisJvmHaveThemFromTheLauncher() {
    assertThat(SparkSessions.defaults("yarn", Map.of()))
        .containsEntry("spark.executorEnv.GLIBC_TUNABLES", MallocSettings.TUNABLES);
    assertThat(SparkSessions.defaults("local-cluster[2,1,1024]", Map.of()))
        .containsEntry("spark.executorEnv.GLIBC_TUNABLES", MallocSettings.TUNABLES);
    assertThat(SparkSessions.defaults("local[*]", Map.of()))
        .doesNotContainKey("spark.executorEnv.GLIBC_TUNABLES");
    assertThat(SparkSessions.defaults("local", Map.of()))
        .doesNotContainKey("spark.executorEnv.GLIBC_TUNABLES");
  }

  @Test
  void aUsersOwnSettingWins() {
    assertThat(
            SparkSessions.defaults(
                "k8s://https://example:6443", Map.of("spark.executorEnv.GLIBC_TUNABLES", "")))
        .doesNotContainKey("spark.executorEnv.GLIBC_TUNABLES");
  }
}
