package io.latentdecode.udf.output;

import io.latentdecode.udf.contract.OutputFormat;
import io.latentdecode.udf.contract.OutputLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.datasources.parquet.ParquetWriteSupport;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Writes the record batches of one {@link VectorSchemaRoot} as Parquet files into a task attempt's
 * private folder, one Parquet row per Arrow row, through Spark's own Parquet writer (so every
 * carried-through Spark type is stored as Spark stores it), starting a new file once the current
 * one has passed {@code maxFileBytes}. The Arrow schema's metadata (run id, model, decode settings)
 * is the files' key-value metadata.
 */
final class RollingParquetFiles implements BatchFiles {
  /**
   * Bytes per row group: images are large values, and a reader that takes a row group at a time
   * then holds a bounded number of them. Uncompressed: image bytes are compressed already.
   */
  static final long ROW_GROUP_BYTES = 64L * 1024 * 1024;

  private final FileSystem fs;
  private final Path attemptDir;
  private final int partition;
  private final String runId;
  private final VectorSchemaRoot root;
  private final long maxFileBytes;
  private final Configuration conf;
  private final Map<String, String> metadata;
  private final List<StagedFile> finished = new ArrayList<>();

  private ParquetWriter<InternalRow> writer;
  private Path current;
  private long currentRows;

  /**
   * @param sparkSchema the root's columns as Spark types (the images' and the carried ones)
   */
  RollingParquetFiles(
      FileSystem fs,
      Path attemptDir,
      int partition,
      String runId,
      VectorSchemaRoot root,
      long maxFileBytes,
      StructType sparkSchema) {
    this.fs = fs;
    this.attemptDir = attemptDir;
    this.partition = partition;
    this.runId = runId;
    this.root = root;
    this.maxFileBytes = maxFileBytes;
    this.metadata = new HashMap<>(root.getSchema().getCustomMetadata());
    this.conf = new Configuration(fs.getConf());
    conf.set("org.apache.spark.sql.parquet.row.attributes", sparkSchema.json());
    conf.set(SQLConf.PARQUET_WRITE_LEGACY_FORMAT().key(), "false");
    // what Arrow, DuckDB and pandas read as timestamps (Spark's own default, INT96, is legacy)
    conf.set(SQLConf.PARQUET_OUTPUT_TIMESTAMP_TYPE().key(), "TIMESTAMP_MICROS");
    conf.set(SQLConf.PARQUET_FIELD_ID_WRITE_ENABLED().key(), "false");
    conf.set(SQLConf.PARQUET_ANNOTATE_VARIANT_LOGICAL_TYPE().key(), "false");
  }

  @Override
  public void writeBatch() throws IOException {
    if (writer == null) {
      String name = partFileName(finished.size());
      current = new Path(attemptDir, name);
      writer =
          new Builder(HadoopOutputFile.fromPath(current, conf), metadata)
              .withConf(conf)
              .withWriteMode(ParquetFileWriter.Mode.CREATE)
              .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
              .withRowGroupSize(ROW_GROUP_BYTES)
              .build();
    }
    ColumnVector[] columns =
        root.getFieldVectors().stream().map(ArrowColumnVector::new).toArray(ColumnVector[]::new);
    // not closed: closing the batch would close the root's vectors, which the writer reuses
    Iterator<InternalRow> rows = new ColumnarBatch(columns, root.getRowCount()).rowIterator();
    while (rows.hasNext()) {
      writer.write(rows.next());
    }
    currentRows += root.getRowCount();
    if (writer.getDataSize() >= maxFileBytes) {
      finishCurrent();
    }
  }

  @Override
  public List<StagedFile> finish() throws IOException {
    finishCurrent();
    return List.copyOf(finished);
  }

  private String partFileName(int chunk) {
    return OutputLayout.partFileName(partition, runId, chunk, OutputFormat.PARQUET.suffix());
  }

  private void finishCurrent() throws IOException {
    if (writer == null) {
      return;
    }
    writer.close();
    writer = null;
    long bytes = fs.getFileStatus(current).getLen();
    finished.add(new StagedFile(current, partFileName(finished.size()), currentRows, bytes));
    currentRows = 0;
  }

  @Override
  public void close() throws IOException {
    if (writer != null) {
      ParquetWriter<InternalRow> open = writer;
      writer = null;
      open.close();
    }
  }

  /** A Parquet writer of Spark rows whose footer also holds the output's schema metadata. */
  private static final class Builder extends ParquetWriter.Builder<InternalRow, Builder> {
    private final Map<String, String> metadata;

    Builder(org.apache.parquet.io.OutputFile file, Map<String, String> metadata) {
      super(file);
      this.metadata = metadata;
    }

    @Override
    protected Builder self() {
      return this;
    }

    // abstract in parquet-hadoop 1.17 although deprecated: every builder must still implement it
    @SuppressWarnings("deprecation")
    @Override
    protected WriteSupport<InternalRow> getWriteSupport(Configuration conf) {
      return new ParquetWriteSupport() {
        @Override
        public WriteContext init(Configuration configuration) {
          WriteContext spark = super.init(configuration);
          Map<String, String> all = new HashMap<>(spark.getExtraMetaData());
          all.putAll(metadata);
          return new WriteContext(spark.getSchema(), all);
        }
      };
    }
  }
}
