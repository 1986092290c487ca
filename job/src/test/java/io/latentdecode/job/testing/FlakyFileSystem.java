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
