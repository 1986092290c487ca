package io.latentdecode.job.testing;

import java.util.Arrays;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of test classes that run the command line on Spark: one {@code local[2,2]} session per class
 * (two task slots, a failed task retried once), bound to loopback with the UI off. The command line
 * reuses the active session, so a class pays Spark's start-up once.
 */
public abstract class SparkJobTest {
  protected static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark =
        SparkSession.builder()
            .master("local[2,2]")
            .appName("latent-decode-test")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  /**
   * {@code run} with {@code flaky://} registered for the driver's own checks too (they run before
   * Spark, from {@code --conf spark.hadoop.*}).
   */
  protected static CliRun.Result decodeWithFlakyFileSystem(
      String input, String output, String model, String... more) {
    String[] args = Arrays.copyOf(more, more.length + 2);
    args[more.length] = "--conf";
    args[more.length + 1] = "spark.hadoop.fs.flaky.impl=" + FlakyFileSystem.class.getName();
    return CliRun.decode(input, output, model, args);
  }

  /**
   * Serves {@code flaky://} paths from the local disk in this session (see {@link
   * FlakyFileSystem}).
   */
  protected static void registerFlakyFileSystem(int renameFailuresPerFile) {
    spark
        .sparkContext()
        .hadoopConfiguration()
        .set("fs.flaky.impl", FlakyFileSystem.class.getName());
    spark.sparkContext().hadoopConfiguration().setBoolean("fs.flaky.impl.disable.cache", true);
    spark
        .sparkContext()
        .hadoopConfiguration()
        .setInt(FlakyFileSystem.FAILURES_PER_FILE, renameFailuresPerFile);
  }
}
