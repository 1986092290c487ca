package io.latentdecode.job.testing;

import java.io.IOException;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local file system under the scheme {@code flaky://}, whose first rename of a file into an
 * {@code _errors} folder fails: a task attempt that has already published its image file then dies in
 * the middle of publishing, and Spark retries it. Register with {@code fs.flaky.impl}.
 */
public final class FlakyFileSystem extends RawLocalFileSystem {
  public static final String SCHEME = "flaky";
  private static final Set<String> FAILED = ConcurrentHashMap.newKeySet();

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    if (dst.getParent() != null && dst.getParent().getName().equals("_errors") && FAILED.add(dst.getName())) {
      throw new IOException("injected failure: renaming " + src + " to " + dst);
    }
    return super.rename(src, dst);
  }

  /** How many renames have failed on purpose so far. */
  public static int injectedFailures() {
    return FAILED.size();
  }
}
