package io.latentdecode.job.plan;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.job.config.WriteMode;
import io.latentdecode.udf.contract.OutputLayout;
import java.io.IOException;
import java.util.UUID;
import org.apache.hadoop.fs.FSDataOutputStream;
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
      throw JobSetupException.external(
          "Cannot run: cannot read --output " + output + ": " + e.getMessage(), e);
    }
    probeWritable(fs, output, existing.length > 0 || exists(fs, output));
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

  /**
   * Writes and deletes a small file under the output's {@code _temporary/}, so that an output the
   * job cannot write to stops the run before any task decodes; leaves the output as it found it.
   */
  private static void probeWritable(FileSystem fs, Path output, boolean outputExisted) {
    Path temporary = new Path(output, OutputLayout.TEMPORARY_DIR);
    Path probe = new Path(temporary, ".write-probe-" + UUID.randomUUID());
    try {
      boolean temporaryExisted = fs.exists(temporary);
      try (FSDataOutputStream out = fs.create(probe, false)) {
        out.write('\n');
      }
      fs.delete(probe, false);
      if (!outputExisted) {
        fs.delete(output, true);
      } else if (!temporaryExisted) {
        fs.delete(temporary, true);
      }
    } catch (IOException | RuntimeException e) {
      throw new JobSetupException(
          "Cannot run: --output "
              + output
              + " is not writable ("
              + e.getMessage()
              + "); check the path, its permissions or the storage credentials",
          e);
    }
  }

  private static boolean exists(FileSystem fs, Path path) {
    try {
      return fs.exists(path);
    } catch (IOException e) {
      return false;
    }
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
