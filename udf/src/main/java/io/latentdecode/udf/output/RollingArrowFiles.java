package io.latentdecode.udf.output;

import io.latentdecode.udf.contract.OutputLayout;
import java.io.IOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes the record batches of one {@link VectorSchemaRoot} as Arrow IPC files into a task
 * attempt's private folder, starting a new file once the current one has passed {@code
 * maxFileBytes}. Files are created exclusively ({@code overwrite=false}): an attempt folder is
 * never shared.
 */
final class RollingArrowFiles implements BatchFiles {
  private final FileSystem fs;
  private final Path attemptDir;
  private final String publishedDir;
  private final int partition;
  private final String runId;
  private final VectorSchemaRoot root;
  private final long maxFileBytes;
  private final List<StagedFile> finished = new ArrayList<>();

  private FSDataOutputStream out;
  private ArrowFileWriter writer;
  private Path current;
  private long currentRows;

  /**
   * @param publishedDir the folder, relative to the output, the files are published to ("" for the
   *     root)
   */
  RollingArrowFiles(
      FileSystem fs,
      Path attemptDir,
      String publishedDir,
      int partition,
      String runId,
      VectorSchemaRoot root,
      long maxFileBytes) {
    this.fs = fs;
    this.attemptDir = attemptDir;
    this.publishedDir = publishedDir;
    this.partition = partition;
    this.runId = runId;
    this.root = root;
    this.maxFileBytes = maxFileBytes;
  }

  /** Writes the root's current rows as one record batch. */
  @Override
  public void writeBatch() throws IOException {
    if (writer == null) {
      String name = OutputLayout.partFileName(partition, runId, finished.size());
      current = new Path(attemptDir, publishedDir.isEmpty() ? name : publishedDir + "-" + name);
      out = fs.create(current, false);
      writer = new ArrowFileWriter(root, null, Channels.newChannel(out));
      writer.start();
    }
    writer.writeBatch();
    currentRows += root.getRowCount();
    if (out.getPos() >= maxFileBytes) {
      finishCurrent();
    }
  }

  @Override
  public List<StagedFile> finish() throws IOException {
    finishCurrent();
    return List.copyOf(finished);
  }

  private void finishCurrent() throws IOException {
    if (writer == null) {
      return;
    }
    writer.end();
    long bytes = out.getPos();
    writer.close();
    out.close();
    String name = OutputLayout.partFileName(partition, runId, finished.size());
    finished.add(
        new StagedFile(
            current,
            publishedDir.isEmpty() ? name : publishedDir + "/" + name,
            currentRows,
            bytes));
    writer = null;
    out = null;
    currentRows = 0;
  }

  @Override
  public void close() throws IOException {
    if (writer != null) {
      try {
        writer.close();
      } finally {
        out.close();
        writer = null;
      }
    }
  }
}
