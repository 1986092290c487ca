package io.latentdecode.job.output;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;

/** The schema of a Parquet output file, as the Arrow schema of the same columns. */
public final class ParquetSchemas {
  /** Where Spark's Parquet writer keeps the Spark schema of the rows. */
  private static final String SPARK_SCHEMA_KEY = "org.apache.spark.sql.parquet.row.metadata";

  private ParquetSchemas() {}

  /** The file's columns (its Spark schema in Arrow types) and its footer's own metadata. */
  public static Schema arrowSchemaOf(FileSystem fs, Path file) throws IOException {
    Map<String, String> footer;
    try (ParquetFileReader reader =
        ParquetFileReader.open(HadoopInputFile.fromPath(file, fs.getConf()))) {
      footer = new HashMap<>(reader.getFooter().getFileMetaData().getKeyValueMetaData());
    }
    String sparkSchema = footer.remove(SPARK_SCHEMA_KEY);
    if (sparkSchema == null) {
      throw new IOException(
          file + " was not written by latent-decode: no Spark schema in its footer");
    }
    footer.keySet().removeIf(k -> k.startsWith("org.apache.spark."));
    StructType columns = (StructType) DataType.fromJson(sparkSchema);
    Schema arrow = ArrowUtils.toArrowSchema(columns, "UTC", true, false);
    return new Schema(arrow.getFields(), footer);
  }
}
