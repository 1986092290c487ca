package io.latentdecode.job.cli;

import io.latentdecode.job.JobSetupException;
import java.io.IOException;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** The file system of an output URI, for the commands that read outputs without Spark. */
final class OutputFileSystem {
  private OutputFileSystem() {}

  /**
   * @param settings Hadoop settings ({@code --conf}); a {@code spark.hadoop.} prefix is dropped, so
   *     the same settings as for {@code run} work
   */
  static FileSystem of(Path output, Map<String, String> settings) {
    Configuration conf = new Configuration();
    settings.forEach((k, v) -> conf.set(k.startsWith("spark.hadoop.") ? k.substring(13) : k, v));
    try {
      FileSystem fs = output.getFileSystem(conf);
      if (!fs.exists(output)) {
        throw new JobSetupException(
            "Cannot read " + output + ": it does not exist. Pass the --output folder of a run.");
      }
      return fs;
    } catch (IOException e) {
      throw JobSetupException.external("Cannot read " + output + ": " + e.getMessage(), e);
    }
  }
}
