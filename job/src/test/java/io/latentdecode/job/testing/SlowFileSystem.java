package io.latentdecode.job.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.util.Progressable;

/**
 * The local file system under the scheme {@code slow://}, where the first task attempt that writes
 * a file on executor 0 is slow: it waits {@code slow.first-attempt-millis} (default 3000) before
 * creating its first file, while every other task runs at full speed, so that Spark launches a
 * speculative copy of it on another executor and the two race. Register with {@code fs.slow.impl};
 * executors in their own JVMs need the test classes on their class path.
 */
public final class SlowFileSystem extends RawLocalFileSystem {
  public static final String SCHEME = "slow";
  public static final String DELAY = "slow.first-attempt-millis";

  /** One slow task per JVM: the median task stays fast, so Spark speculates on the slow one. */
  private static final java.util.concurrent.atomic.AtomicBoolean SLOWED =
      new java.util.concurrent.atomic.AtomicBoolean();

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    if (f.getParent() != null
        && f.getParent().getName().endsWith("-attempt-0")
        && org.apache.spark.SparkEnv.get() != null
        && "0".equals(org.apache.spark.SparkEnv.get().executorId())
        && SLOWED.compareAndSet(false, true)) {
      try {
        Thread.sleep(getConf().getLong(DELAY, 3000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new UncheckedIOException(new IOException("interrupted", e));
      }
    }
    return super.create(f, overwrite, bufferSize, replication, blockSize, progress);
  }
}
