package io.latentdecode.job.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentdecode.job.DecodeJob;
import io.latentdecode.udf.output.NioLocalFileSystem;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code file:} without a chmod process per file: the driver's checks and an embedded session's own
 * uses name {@link NioLocalFileSystem}; a cluster's Spark settings are left alone (its executors'
 * class path may not have it before the job's jar); a user's setting wins.
 */
class LocalFileSystemDefaultTest {
  private static final String KEY = "spark.hadoop.fs.file.impl";

  @Test
  void anEmbeddedSessionNamesItAndAClusterDoesNot() {
    assertThat(SparkSessions.defaults("local[*]", Map.of()))
        .containsEntry(KEY, NioLocalFileSystem.class.getName());
    assertThat(SparkSessions.defaults("yarn", Map.of())).doesNotContainKey(KEY);
    assertThat(SparkSessions.defaults("local[2]", Map.of(KEY, "org.example.Fs")))
        .doesNotContainKey(KEY);
  }

  @Test
  void theDriversChecksNameItUnlessTheUserNamesAnother() {
    assertThat(DecodeJob.hadoopConf(Map.of()).get("fs.file.impl"))
        .isEqualTo(NioLocalFileSystem.class.getName());
    assertThat(DecodeJob.hadoopConf(Map.of(KEY, "org.example.Fs")).get("fs.file.impl"))
        .isEqualTo("org.example.Fs");
  }
}
