package io.latentdecode.job.testing;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local file system under the scheme {@code flaky://}, whose renames of a file into an {@code
 * _errors} folder fail the first {@code flaky.rename-failures-per-file} times (default 1) for each
 * destination: a task attempt that has already published its image file then dies in the middle of
 * publishing. Register with {@code fs.flaky.impl}.
 */
public final class FlakyFileSystem extends RawLocalFileSystem {
  public static final String SCHEME = "flaky";
  public static final String FAILURES_PER_FILE = "flaky.rename-failures-per-file";
  private static final Map<String, Integer> FAILURES = new ConcurrentHashMap<>();

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  /**
   * Under a path with this in its name, the first attempt's image file fails after its first 1000
   * bytes: a task that dies in the middle of writing its file.
   */
  public static final String FAIL_MID_WRITE = "fail-mid-write";

  private static final java.util.Set<String> FAILED_WRITES =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  @Override
  public org.apache.hadoop.fs.FSDataOutputStream create(
      Path f,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      org.apache.hadoop.util.Progressable progress)
      throws IOException {
    org.apache.hadoop.fs.FSDataOutputStream out =
        super.create(f, overwrite, bufferSize, replication, blockSize, progress);
    if (f.toString().contains(FAIL_MID_WRITE)
        && f.getParent().getName().endsWith("-attempt-0")
        && f.getName().startsWith("part-")
        && FAILED_WRITES.add(f.toString())) {
      java.io.OutputStream failing =
          new java.io.FilterOutputStream(out) {
            private long written;

            @Override
            public void write(int b) throws IOException {
              fail(1);
              out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              fail(len);
              out.write(b, off, len);
            }

            private void fail(int more) throws IOException {
              written += more;
              if (written > 1000) {
                throw new IOException("injected failure: the disk went away while writing " + f);
              }
            }
          };
      return new org.apache.hadoop.fs.FSDataOutputStream(failing, null);
    }
    return out;
  }

  /** Paths with this in their name answer every status query with an I/O error. */
  public static final String UNREACHABLE = "unreachable-storage";

  @Override
  public org.apache.hadoop.fs.FileStatus getFileStatus(Path f) throws IOException {
    if (f.toString().contains(UNREACHABLE)) {
      throw new IOException("injected failure: the storage did not answer for " + f);
    }
    return super.getFileStatus(f);
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    if (dst.getParent() != null && dst.getParent().getName().equals("_errors")) {
      int allowed = getConf().getInt(FAILURES_PER_FILE, 1);
      int failures = FAILURES.merge(dst.toUri().getPath(), 1, Integer::sum);
      if (failures <= allowed) {
        throw new IOException("injected failure: renaming " + src + " to " + dst);
      }
    }
    return super.rename(src, dst);
  }

  /** How many renames into folders under {@code root} were attempted (failed or not). */
  public static int renamesUnder(java.nio.file.Path root) {
    return FAILURES.entrySet().stream()
        .filter(e -> e.getKey().startsWith(root.toString()))
        .mapToInt(Map.Entry::getValue)
        .sum();
  }
}
