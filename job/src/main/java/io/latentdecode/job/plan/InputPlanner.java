package io.latentdecode.job.plan;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.udf.contract.InputFile;
import io.latentdecode.udf.contract.InputKind;
import io.latentdecode.udf.contract.OutputSchemas;
import io.latentdecode.udf.latent.PickleFiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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
 * Plans the input from its listing: Parquet rows through Spark's Parquet source, other formats as
 * the listed files the tasks read themselves. Checks it against the latent contract on the driver:
 * a Parquet file without the contract's columns stops the run before any task starts. Per-row
 * problems are left to the tasks, which quarantine the row.
 */
public final class InputPlanner {
  private static final Set<String> CONTRACT_COLUMNS = Set.of("id", "latent", "shape", "dtype");

  /** The input file of a Parquet row (Spark's {@code _metadata.file_path}), last in the layout. */
  public static final String FILE_COLUMN = "file";

  /**
   * Spark splits Parquet input into at least this many partitions (by row group) unless the bytes
   * per split would fall below its file open cost; the run sets it unless the user did.
   */
  private static final String MIN_PARTITIONS = "spark.sql.files.minPartitionNum";

  private InputPlanner() {}

  /**
   * @param kind the detected format
   * @param restricted whether the user named the format ({@code --input-format}); if not, a folder
   *     of latent files is read in all file formats at once, so none is silently skipped
   * @param listing the run's one listing of {@code --input}
   * @param slots the tasks that run at once: Parquet splits give each about {@link
   *     TaskSizing#TASKS_PER_SLOT} tasks
   * @param partitions {@code --partitions}: Parquet rows are repartitioned into that many tasks
   *     (files are packed into them when the tasks are made)
   */
  public static PlannedInput plan(
      SparkSession spark,
      InputKind kind,
      boolean restricted,
      InputListing listing,
      int slots,
      OptionalInt partitions) {
    if (kind != InputKind.PARQUET) {
      return files(spark, kind, restricted, listing);
    }
    if (!spark.conf().contains(MIN_PARTITIONS)) {
      spark.conf().set(MIN_PARTITIONS, (long) slots * TaskSizing.TASKS_PER_SLOT);
    }
    PlannedInput planned = parquet(spark, listing);
    if (partitions.isPresent()) {
      return planned.withRows(planned.rows().repartition(partitions.getAsInt()));
    }
    return planned;
  }

  /**
   * The listed latent files, which the tasks read whole. Pickle files next to the latents are kept
   * too, so that each is reported as refused rather than silently skipped.
   */
  private static PlannedInput files(
      SparkSession spark, InputKind kind, boolean restricted, InputListing listing) {
    List<InputKind> kinds =
        restricted ? List.of(kind) : List.of(InputKind.NPY, InputKind.SAFETENSORS, InputKind.ARROW);
    List<String> suffixes = new ArrayList<>();
    kinds.forEach(k -> suffixes.add(k.suffix()));
    if (kinds.contains(InputKind.ARROW)) {
      suffixes.add(".feather");
    }
    StructType carried =
        kinds.contains(InputKind.ARROW)
            ? ArrowSchemas.carriedColumns(spark, listing, kind == InputKind.ARROW)
            : new StructType();
    suffixes.addAll(PickleFiles.EXTENSIONS);
    List<InputFile> files = listing.named(name -> suffixes.stream().anyMatch(name::endsWith));
    return new PlannedInput(
        kind, listing.root().toString(), null, files, Map.of(), carried, List.of());
  }

  private static PlannedInput parquet(SparkSession spark, InputListing listing) {
    String inputUri = listing.root().toString();
    ParquetFooters.Checked files = ParquetFooters.check(spark, listing);
    Dataset<Row> raw =
        files.unreadable().isEmpty()
            ? spark.read().parquet(inputUri)
            : spark
                .read()
                .option("basePath", inputUri)
                .parquet(files.readable().toArray(String[]::new));
    StructType carried = checkTableContract(raw.schema(), "Parquet");
    List<Column> select = latentColumns(raw.schema(), carried);
    select.add(col("_metadata.file_path").as(FILE_COLUMN));
    return new PlannedInput(
        InputKind.PARQUET,
        inputUri,
        raw.select(select.toArray(Column[]::new)),
        null,
        files.rows(),
        carried,
        files.unreadable());
  }

  /**
   * The columns of a table of latents (checked by {@link #checkTableContract}) in the executor's
   * row layout ({@link InputKind#rowLayout()}, without the input file's column).
   */
  public static List<Column> latentColumns(StructType schema, StructType carried) {
    boolean hasDtype = Arrays.asList(schema.fieldNames()).contains("dtype");
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
    return select;
  }

  /**
   * Checks a table input (Parquet, Arrow) against the latent contract; returns the carried columns.
   */
  public static StructType checkTableContract(StructType schema, String format) {
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
