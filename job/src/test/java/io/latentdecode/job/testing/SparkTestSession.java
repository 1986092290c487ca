package io.latentdecode.job.testing;

import org.apache.spark.sql.SparkSession;

/**
 * The tests' Spark: {@code local[2,2]} (two task slots; a failed task is retried once), bound to loopback,
 * UI off. The command line reuses an active session, so one session serves a whole test class.
 */
public final class SparkTestSession {
  private SparkTestSession() {}

  public static SparkSession start() {
    return SparkSession.builder()
        .master("local[2,2]")
        .appName("latent-decode-test")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
  }
}
