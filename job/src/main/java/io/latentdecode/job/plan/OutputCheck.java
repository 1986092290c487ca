package io.latentdecode.job.plan;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.job.config.WriteMode;
import io.latentdecode.udf.contract.OutputLayout;
import java.io.IOException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Applies {@code --mode} to the output folder before a run starts. */
public final class OutputCheck {
  private OutputCheck() {}

  /**
   * Refuses outputs the mode does not allow; returns true when existing output must be cleared
   * first.
   */
  public static boolean check(FileSystem fs, Path output, Path input, WriteMode mode) {
    String in = input.toString() + "/";
    String out = output.toString() + "/";
    if (in.startsWith(out) || out.startsWith(in)) {
      throw new JobSetupException(
          "Cannot run: --input "
              + input
              + " and --output "
              + output
              + " overlap; write the images to a folder outside the input");
    }
    FileStatus[] existing;
    try {
      existing = fs.exists(output) ? fs.listStatus(output) : new FileStatus[0];
    } catch (IOException e) {
      throw new JobSetupException(
          "Cannot run: cannot read --output " + output + ": " + e.getMessage(), e);
    }
    if (existing.length == 0 || mode == WriteMode.RESUME) {
      return false;
    }
    if (mode == WriteMode.FAIL_IF_EXISTS) {
      boolean holdsRun = containsName(existing, OutputLayout.SUCCESS_MARKER);
      throw new JobSetupException(
          "Cannot run: --output "
              + output
              + " already holds "
              + (holdsRun ? "a finished run (_SUCCESS)" : existing.length + " entries")
              + " and --mode is fail-if-exists; choose a new --output, or pass --mode overwrite to replace it");
    }
    return true;
  }

  private static boolean containsName(FileStatus[] entries, String name) {
    for (FileStatus e : entries) {
      if (e.getPath().getName().equals(name)) {
        return true;
      }
    }
    return false;
  }
}
