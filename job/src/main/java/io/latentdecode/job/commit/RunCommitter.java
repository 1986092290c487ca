package io.latentdecode.job.commit;

import io.latentdecode.udf.contract.OutputLayout;
import io.latentdecode.udf.contract.TaskReport;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits a run from its task reports, like a table format commits a snapshot: only files that a
 * successful task reported count. Files of this run that no report names (left by an attempt that
 * published and then died, or lost a race) are deleted, the run's temporary folder goes, then the
 * run report is written and {@code _SUCCESS} last: a reader that sees {@code _SUCCESS} sees the
 * whole run.
 */
public final class RunCommitter {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommitter.class);

  private final FileSystem fs;
  private final Path output;
  private final String runId;

  public RunCommitter(FileSystem fs, Path output, String runId) {
    this.fs = fs;
    this.output = output;
    this.runId = runId;
  }

  /**
   * Commits the run: removes every file of the run its tasks did not report, writes the run's
   * report ({@code _runs/<run-id>.json}) and page ({@code .html}), then {@code _SUCCESS}.
   */
  public void commit(List<TaskReport> reports, byte[] runReportJson, byte[] runReportHtml)
      throws IOException {
    Set<String> reported = new HashSet<>();
    for (TaskReport r : reports) {
      reported.addAll(r.imageFiles());
      reported.addAll(r.errorFiles());
    }
    sweepUnreported(output, "", reported);
    sweepUnreported(OutputLayout.errorsDir(output), OutputLayout.ERRORS_DIR + "/", reported);
    abortTemporary();
    write(OutputLayout.runReport(output, runId), runReportJson, false);
    write(OutputLayout.runReportPage(output, runId), runReportHtml, false);
    write(
        OutputLayout.successMarker(output),
        ("{\"run_id\": \"" + runId + "\"}\n").getBytes(StandardCharsets.UTF_8),
        true);
  }

  /**
   * Fails a run that quarantined too many rows: its error files move to {@code
   * _runs/<run-id>-errors/} for inspection (outside the committed output), its report is written
   * with the status, then the rest of the run is removed as by {@link #abort()}.
   *
   * @return where the error files are kept
   */
  public Path rejectOverBudget(List<TaskReport> reports, byte[] failedReportJson)
      throws IOException {
    Path kept = new Path(OutputLayout.runsDir(output), runId + "-errors");
    fs.mkdirs(kept);
    for (TaskReport r : reports) {
      for (String file : r.errorFiles()) {
        Path source = new Path(output, file);
        if (!fs.rename(source, new Path(kept, source.getName()))) {
          throw new IOException("Cannot keep " + source + " in " + kept);
        }
      }
    }
    write(OutputLayout.runReport(output, runId), failedReportJson, false);
    abort();
    return kept;
  }

  /**
   * Removes every trace of a failed run: the files and manifests its tasks published, and its
   * temporary folder. Output of earlier runs is untouched. (A run killed before it can abort leaves
   * its committed tasks, which {@code --mode resume} keeps.)
   */
  public void abort() {
    try {
      sweepUnreported(output, "", Set.of());
      sweepUnreported(OutputLayout.errorsDir(output), OutputLayout.ERRORS_DIR + "/", Set.of());
      fs.delete(new Path(OutputLayout.manifestsDir(output), runId), true);
      abortTemporary();
    } catch (IOException e) {
      LOG.warn(
          "Cannot clean up the files of failed run {} under {}: {}", runId, output, e.toString());
    }
  }

  /** Deletes this run's temporary folder (task attempts that never published). */
  private void abortTemporary() throws IOException {
    fs.delete(OutputLayout.runTemporaryDir(output, runId), true);
    Path temporary = OutputLayout.runTemporaryDir(output, runId).getParent();
    if (fs.exists(temporary) && fs.listStatus(temporary).length == 0) {
      fs.delete(temporary, false);
    }
  }

  private void sweepUnreported(Path dir, String prefix, Set<String> reported) throws IOException {
    if (!fs.exists(dir)) {
      return;
    }
    for (FileStatus status : fs.listStatus(dir)) {
      String name = status.getPath().getName();
      if (status.isFile()
          && OutputLayout.isPartFileOf(name, runId)
          && !reported.contains(prefix + name)) {
        LOG.info("Deleting {}: no successful task of run {} reported it", status.getPath(), runId);
        fs.delete(status.getPath(), false);
      }
    }
  }

  private void write(Path path, byte[] content, boolean overwrite) throws IOException {
    try (OutputStream out = fs.create(path, overwrite)) {
      out.write(content);
    }
  }
}
