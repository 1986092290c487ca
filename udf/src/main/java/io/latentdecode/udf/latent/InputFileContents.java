package io.latentdecode.udf.latent;

import io.latentdecode.udf.contract.InputFile;
import io.latentdecode.udf.contract.TaskPlan;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The executor side of a file input's task: the files the driver packed into it, read one at a time
 * as it is consumed, as {@code [path, content]} rows (the layout of {@link LatentRows}). A file
 * that cannot be read fails the task, naming the file, as Spark's own file sources do.
 */
public final class InputFileContents
    implements FlatMapFunction<Iterator<List<InputFile>>, InternalRow> {
  private static final long serialVersionUID = 1L;

  /** Java arrays hold at most this many bytes. */
  private static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 8;

  private final Broadcast<TaskPlan> plan;

  /**
   * @param plan the run's plan, for its Hadoop settings
   */
  public InputFileContents(Broadcast<TaskPlan> plan) {
    this.plan = plan;
  }

  @Override
  public Iterator<InternalRow> call(Iterator<List<InputFile>> tasks) {
    if (!tasks.hasNext()) {
      return Collections.emptyIterator();
    }
    Iterator<InputFile> files = tasks.next().iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return files.hasNext();
      }

      @Override
      public InternalRow next() {
        if (!files.hasNext()) {
          throw new NoSuchElementException();
        }
        InputFile file = files.next();
        return new GenericInternalRow(
            new Object[] {UTF8String.fromString(file.path()), read(file)});
      }
    };
  }

  private byte[] read(InputFile file) {
    if (file.length() > MAX_FILE_BYTES) {
      throw new IllegalStateException(
          "Cannot read input file "
              + file.path()
              + ": it holds "
              + file.length()
              + " bytes, more than one latent file may (2 GB); split it or store the latents as"
              + " Parquet rows");
    }
    Path path = new Path(file.path());
    try (InputStream in = path.getFileSystem(plan.value().hadoopConf().get()).open(path)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read input file " + file.path() + ": " + e.getMessage(), e);
    }
  }
}
