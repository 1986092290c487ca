package io.latentdecode.udf.output;

import io.latentdecode.udf.contract.ImageFormat;
import io.latentdecode.udf.contract.OutputFormat;
import io.latentdecode.udf.contract.OutputLayout;
import io.latentdecode.udf.contract.OutputSchemas;
import io.latentdecode.udf.contract.SampleKeys;
import java.io.CharArrayWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.json.JSONOptions;
import org.apache.spark.sql.catalyst.json.JacksonGenerator;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Writes the rows of one {@link VectorSchemaRoot} as WebDataset tar shards into a task attempt's
 * private folder, streamed (a shard is never held in memory): each image is a sample of two
 * members, {@code KEY.<png|jpg|webp|raw>} with the image's bytes and {@code KEY.json} with its id,
 * width, height, format and the carried-through columns (as Spark's {@code to_json} writes them),
 * KEY from {@link SampleKeys}. A new shard starts once the current one has passed {@code
 * maxShardBytes} or holds {@code maxShardSamples} samples.
 */
final class RollingTarShards implements BatchFiles {
  private final FileSystem fs;
  private final Path attemptDir;
  private final int partition;
  private final String runId;
  private final VectorSchemaRoot root;
  private final long maxShardBytes;
  private final long maxShardSamples;
  private final StructType jsonSchema;
  private final JSONOptions jsonOptions;
  private final List<StagedFile> finished = new ArrayList<>();

  private FSDataOutputStream out;
  private TarArchiveOutputStream tar;
  private Path current;
  private long currentSamples;

  /**
   * @param sparkSchema the root's columns as Spark types (the images' and the carried ones)
   * @param timeZone the session time zone the carried timestamps are written in
   */
  RollingTarShards(
      FileSystem fs,
      Path attemptDir,
      int partition,
      String runId,
      VectorSchemaRoot root,
      long maxShardBytes,
      long maxShardSamples,
      StructType sparkSchema,
      String timeZone) {
    this.fs = fs;
    this.attemptDir = attemptDir;
    this.partition = partition;
    this.runId = runId;
    this.root = root;
    this.maxShardBytes = maxShardBytes;
    this.maxShardSamples = maxShardSamples;
    StructType json = new StructType();
    for (var field : sparkSchema.fields()) {
      if (!field.name().equals(OutputSchemas.IMAGE)) {
        json = json.add(field);
      }
    }
    this.jsonSchema = json;
    this.jsonOptions =
        new JSONOptions(
            scala.collection.immutable.Map$.MODULE$.<String, String>empty(),
            timeZone,
            "_corrupt_record");
  }

  @Override
  public void writeBatch() throws IOException {
    VarCharVector ids = (VarCharVector) root.getVector(OutputSchemas.ID);
    VarBinaryVector images = (VarBinaryVector) root.getVector(OutputSchemas.IMAGE);
    VarCharVector formats = (VarCharVector) root.getVector(OutputSchemas.FORMAT);
    List<FieldVector> jsonVectors = new ArrayList<>(root.getFieldVectors());
    jsonVectors.remove(images);
    ColumnVector[] columns =
        jsonVectors.stream().map(ArrowColumnVector::new).toArray(ColumnVector[]::new);
    // not closed: closing the batch would close the root's vectors, which the writer reuses
    ColumnarBatch jsonRows = new ColumnarBatch(columns, root.getRowCount());
    for (int i = 0; i < root.getRowCount(); i++) {
      if (tar == null) {
        open();
      }
      String key = SampleKeys.key(new String(ids.get(i), StandardCharsets.UTF_8));
      String extension =
          ImageFormat.parse(new String(formats.get(i), StandardCharsets.UTF_8)).fileExtension();
      put(key + "." + extension, images.get(i));
      put(key + ".json", json(jsonRows.getRow(i)));
      currentSamples++;
      if (out.getPos() >= maxShardBytes || currentSamples >= maxShardSamples) {
        finishCurrent();
      }
    }
  }

  @Override
  public List<StagedFile> finish() throws IOException {
    finishCurrent();
    return List.copyOf(finished);
  }

  @Override
  public void close() throws IOException {
    if (tar != null) {
      try {
        tar.close();
      } finally {
        tar = null;
        out = null;
      }
    }
  }

  private void open() throws IOException {
    current = new Path(attemptDir, shardName(finished.size()));
    out = fs.create(current, false);
    tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name());
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
  }

  private void put(String name, byte[] bytes) throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(bytes.length);
    entry.setModTime(new Date());
    tar.putArchiveEntry(entry);
    tar.write(bytes);
    tar.closeArchiveEntry();
  }

  private byte[] json(InternalRow row) {
    CharArrayWriter text = new CharArrayWriter(256);
    JacksonGenerator generator = new JacksonGenerator(jsonSchema, text, jsonOptions);
    generator.write(row);
    generator.flush();
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  private String shardName(int chunk) {
    return OutputLayout.partFileName(partition, runId, chunk, OutputFormat.WEBDATASET.suffix());
  }

  private void finishCurrent() throws IOException {
    if (tar == null) {
      return;
    }
    tar.finish();
    long bytes = out.getPos();
    tar.close(); // closes out
    tar = null;
    out = null;
    finished.add(new StagedFile(current, shardName(finished.size()), currentSamples, bytes));
    currentSamples = 0;
  }
}
