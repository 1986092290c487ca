package io.latentdecode.job.cli;

import io.latentdecode.job.DecodeJob;
import io.latentdecode.job.JobSetupException;
import java.io.IOException;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** The file system of an output URI, for the commands that read outputs without Spark. */
final class OutputFileSystem {
  private OutputFileSystem() {}

  /**
   * @param sparkConf {@code --conf} settings, read as {@code run} reads them
   */
  static FileSystem of(Path output, Map<String, String> sparkConf) {
    try {
      FileSystem fs = output.getFileSystem(DecodeJob.hadoopConf(sparkConf));
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
