package io.latentdecode.job.plan;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.udf.contract.InputKind;
import io.latentdecode.udf.contract.OutputSchemas;
import io.latentdecode.udf.latent.PickleFiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reads the input with Spark's own sources and checks it against the latent contract on the driver:
 * a Parquet file without the contract's columns stops the run before any task starts. Per-row
 * problems are left to the tasks, which quarantine the row.
 */
public final class InputPlanner {
  private static final Set<String> CONTRACT_COLUMNS = Set.of("id", "latent", "shape", "dtype");

  private InputPlanner() {}

  /**
   * @param kind the detected format
   * @param restricted whether the user named the format ({@code --input-format}); if not, a folder
   *     of latent files is read in all file formats at once, so none is silently skipped
   */
  public static PlannedInput plan(
      SparkSession spark,
      InputKind kind,
      boolean restricted,
      String inputUri,
      OptionalInt partitions) {
    PlannedInput planned =
        kind == InputKind.PARQUET
            ? parquet(spark, inputUri)
            : files(spark, kind, restricted, inputUri);
    if (partitions.isPresent()) {
      return planned.withRows(planned.rows().repartition(partitions.getAsInt()));
    }
    return planned;
  }

  /**
   * Whole files as {@code [path, content]} rows. Pickle files next to the latents are read too, so
   * that each is reported as refused rather than silently skipped.
   */
  private static PlannedInput files(
      SparkSession spark, InputKind kind, boolean restricted, String inputUri) {
    List<InputKind> kinds =
        restricted ? List.of(kind) : List.of(InputKind.NPY, InputKind.SAFETENSORS, InputKind.ARROW);
    List<String> globs = new ArrayList<>();
    kinds.forEach(k -> globs.add("*" + k.suffix()));
    if (kinds.contains(InputKind.ARROW)) {
      globs.add("*.feather");
    }
    StructType carried =
        kinds.contains(InputKind.ARROW)
            ? ArrowSchemas.carriedColumns(spark, inputUri, kind == InputKind.ARROW)
            : new StructType();
    PickleFiles.EXTENSIONS.forEach(e -> globs.add("*" + e));
    Dataset<Row> rows =
        spark
            .read()
            .format("binaryFile")
            .option("pathGlobFilter", "{" + String.join(",", globs) + "}")
            .option("recursiveFileLookup", "true")
            .load(inputUri)
            .select(col("path"), col("content"));
    return new PlannedInput(kind, inputUri, rows, carried);
  }

  private static PlannedInput parquet(SparkSession spark, String inputUri) {
    ParquetFooters.Checked files = ParquetFooters.check(spark, inputUri);
    Dataset<Row> raw =
        files.unreadable().isEmpty()
            ? spark.read().parquet(inputUri)
            : spark
                .read()
                .option("basePath", inputUri)
                .parquet(files.readable().toArray(String[]::new));
    StructType carried = checkTableContract(raw.schema(), "Parquet");
    boolean hasDtype = Arrays.asList(raw.schema().fieldNames()).contains("dtype");
    List<Column> select =
        new ArrayList<>(
            List.of(
                col("id"),
                col("latent"),
                col("shape").cast(DataTypes.createArrayType(DataTypes.IntegerType)),
                hasDtype ? col("dtype") : lit(null).cast(DataTypes.StringType)));
    if (!carried.isEmpty()) {
      select.add(
          struct(
                  Arrays.stream(carried.fields())
                      .map(f -> col("`" + f.name() + "`"))
                      .toArray(Column[]::new))
              .as("carry"));
    }
    return new PlannedInput(
        InputKind.PARQUET,
        inputUri,
        raw.select(select.toArray(Column[]::new)),
        carried,
        files.unreadable());
  }

  /**
   * Checks a table input (Parquet, Arrow) against the latent contract; returns the carried columns.
   */
  static StructType checkTableContract(StructType schema, String format) {
    require(schema, "id", t -> t instanceof StringType, "string", format);
    require(
        schema,
        "latent",
        t -> t instanceof BinaryType,
        "binary (little-endian C-order tensor bytes)",
        format);
    require(
        schema,
        "shape",
        t ->
            t instanceof ArrayType a
                && (a.elementType() instanceof IntegerType
                    || a.elementType() instanceof LongType
                    || a.elementType() instanceof ShortType),
        "array<int> ([C, h, w])",
        format);
    boolean hasDtype = Arrays.asList(schema.fieldNames()).contains("dtype");
    if (hasDtype && !(schema.apply("dtype").dataType() instanceof StringType)) {
      throw new JobSetupException(
          "Cannot run: "
              + format
              + " column 'dtype' is "
              + schema.apply("dtype").dataType().simpleString()
              + "; the latent contract needs a string (float32, float16 or bfloat16)");
    }
    List<StructField> carried = new ArrayList<>();
    for (StructField field : schema.fields()) {
      if (CONTRACT_COLUMNS.contains(field.name())) {
        continue;
      }
      if (OutputSchemas.IMAGE_COLUMNS.contains(field.name())) {
        throw new JobSetupException(
            "Cannot run: input column '"
                + field.name()
                + "' has the name of an output column ("
                + String.join(", ", OutputSchemas.IMAGE_COLUMNS)
                + "); rename it in the input");
      }
      carried.add(field);
    }
    return new StructType(carried.toArray(StructField[]::new));
  }

  private interface TypeCheck {
    boolean accepts(DataType type);
  }

  private static void require(
      StructType schema, String column, TypeCheck check, String expected, String format) {
    if (!Arrays.asList(schema.fieldNames()).contains(column)) {
      throw new JobSetupException(
          "Cannot run: the "
              + format
              + " input has no '"
              + column
              + "' column; the latent contract"
              + " needs id (string), latent (binary), shape (array<int>) and optionally dtype (string). Found: "
              + schema.simpleString());
    }
    DataType type = schema.apply(column).dataType();
    if (!check.accepts(type)) {
      throw new JobSetupException(
          "Cannot run: "
              + format
              + " column '"
              + column
              + "' is "
              + type.simpleString()
              + "; the latent contract needs "
              + expected);
    }
  }
}
