package io.latentdecode.udf.output;

import io.latentdecode.udf.contract.OutputSchemas;
import io.latentdecode.udf.contract.TaskPlan;
import io.latentdecode.udf.image.EncodedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.arrow.ArrowWriter;

/**
 * A task's image rows, gathered into record batches of many images and written as rolling Arrow
 * files. Carried-through input columns are converted by Spark's own Arrow writer, so every Spark
 * type keeps the Arrow type Spark gives it.
 */
public final class ImageFileWriter extends RecordBatchFileWriter implements ImageSink {
  private static final int MAX_ROWS_PER_BATCH = 1024;
  private static final long MAX_BYTES_PER_BATCH = 64L * 1024 * 1024;

  /** Record batches per file, at least: a file overshoots its size limit by at most one batch. */
  private static final int MIN_BATCHES_PER_FILE = 8;

  private final VarCharVector id;
  private final VarBinaryVector image;
  private final VarCharVector format;
  private final IntVector width;
  private final IntVector height;
  private final ArrowWriter carried;
  private final long maxBatchBytes;
  private long batchBytes;

  /** The task attempt's image files, in the run's output format, in its private folder. */
  public ImageFileWriter(
      BufferAllocator allocator, TaskPlan plan, FileSystem fs, Path attemptDir, int partition) {
    super(
        allocator,
        OutputSchemas.images(plan),
        root -> files(root, plan, fs, attemptDir, partition));
    this.id = (VarCharVector) root.getVector(OutputSchemas.ID);
    this.image = (VarBinaryVector) root.getVector(OutputSchemas.IMAGE);
    this.format = (VarCharVector) root.getVector(OutputSchemas.FORMAT);
    this.width = (IntVector) root.getVector(OutputSchemas.WIDTH);
    this.height = (IntVector) root.getVector(OutputSchemas.HEIGHT);
    List<FieldVector> carriedVectors =
        root.getFieldVectors()
            .subList(OutputSchemas.IMAGE_COLUMNS.size(), root.getFieldVectors().size());
    this.carried =
        carriedVectors.isEmpty() ? null : ArrowWriter.create(new VectorSchemaRoot(carriedVectors));
    this.maxBatchBytes =
        Math.max(1, Math.min(MAX_BYTES_PER_BATCH, plan.maxFileBytes() / MIN_BATCHES_PER_FILE));
  }

  private static BatchFiles files(
      VectorSchemaRoot root, TaskPlan plan, FileSystem fs, Path attemptDir, int partition) {
    long maxBytes = plan.maxFileBytes();
    return switch (plan.outputFormat()) {
      case ARROW ->
          new RollingArrowFiles(fs, attemptDir, "", partition, plan.runId(), root, maxBytes);
      case PARQUET ->
          new RollingParquetFiles(
              fs,
              attemptDir,
              partition,
              plan.runId(),
              root,
              maxBytes,
              OutputSchemas.imagesSpark(plan));
      case WEBDATASET ->
          new RollingTarShards(
              fs,
              attemptDir,
              partition,
              plan.runId(),
              root,
              maxBytes,
              plan.maxFileRows(),
              OutputSchemas.imagesSpark(plan),
              plan.sessionTimeZone());
      case FILES -> new ImageFilePerId(fs, attemptDir, root);
    };
  }

  @Override
  public void add(
      String imageId,
      EncodedImage encoded,
      String imageFormat,
      int imageWidth,
      int imageHeight,
      InternalRow carriedColumns)
      throws IOException {
    id.setSafe(rows, imageId.getBytes(StandardCharsets.UTF_8));
    image.setSafe(rows, encoded.array(), encoded.offset(), encoded.length());
    format.setSafe(rows, imageFormat.getBytes(StandardCharsets.UTF_8));
    width.setSafe(rows, imageWidth);
    height.setSafe(rows, imageHeight);
    if (carried != null) {
      carried.write(carriedColumns);
    }
    rows++;
    batchBytes += encoded.length();
    if (rows >= MAX_ROWS_PER_BATCH || batchBytes >= maxBatchBytes) {
      flush();
    }
  }

  @Override
  protected void beforeBatch() {
    if (carried != null) {
      carried.finish();
    }
  }

  @Override
  protected void afterBatch() {
    if (carried != null) {
      carried.reset();
    }
    batchBytes = 0;
  }
}
