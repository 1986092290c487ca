package io.latentdecode.job.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** What a run that cannot start must look like to its user. */
public final class SetupErrors {
  private SetupErrors() {}

  /**
   * Exit code 2, one line that starts with "Cannot run" and names {@code parts}, no Spark session
   * running (one started beside the model check is stopped again), and nothing written to {@code
   * output}.
   */
  public static void assertStoppedBeforeSpark(CliRun.Result r, Path output, String... parts) {
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.err().strip().lines()).as(r.toString()).hasSize(1);
    assertThat(r.err()).startsWith("latent-decode: Cannot run").contains(parts);
    assertThat(SparkSession.getActiveSession().isDefined())
        .as("a Spark session was started")
        .isFalse();
    // Spark may have started beside the model check (on its own thread): it must be stopped again
    assertThat(SparkSession.getDefaultSession().isDefined())
        .as("a Spark session was left running")
        .isFalse();
    assertThat(output).doesNotExist();
  }
}
