package io.latentdecode.job.config;

import io.latentdecode.job.JobSetupException;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** The paths and URIs the flags name ({@code --input}, {@code --output}, {@code --model}). */
public final class FlagPaths {
  private FlagPaths() {}

  /** The URI qualified on its file system; a setup error naming the flag when it is not usable. */
  public static Path qualify(String uri, Configuration conf, String option) {
    try {
      Path path = new Path(uri);
      return path.getFileSystem(conf).makeQualified(path);
    } catch (IOException | IllegalArgumentException e) {
      throw new JobSetupException(
          "Cannot run: " + option + " '" + uri + "' is not a usable path or URI: " + e.getMessage(),
          e);
    }
  }
}
