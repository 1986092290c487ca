package io.latentdecode.job.plan;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

import io.latentdecode.job.JobSetupException;
import io.latentdecode.udf.contract.InputKind;
import io.latentdecode.udf.contract.OutputSchemas;
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

  public static PlannedInput plan(
      SparkSession spark, InputKind kind, String inputUri, OptionalInt partitions) {
    PlannedInput planned =
        switch (kind) {
          case NPY -> npy(spark, inputUri);
          case PARQUET -> parquet(spark, inputUri);
        };
    if (partitions.isPresent()) {
      return new PlannedInput(
          kind,
          inputUri,
          planned.rows().repartition(partitions.getAsInt()),
          planned.carriedColumns());
    }
    return planned;
  }

  private static PlannedInput npy(SparkSession spark, String inputUri) {
    Dataset<Row> rows =
        spark
            .read()
            .format("binaryFile")
            .option("pathGlobFilter", "*.npy")
            .option("recursiveFileLookup", "true")
            .load(inputUri)
            .select(col("path"), col("content"));
    return new PlannedInput(InputKind.NPY, inputUri, rows, new StructType());
  }

  private static PlannedInput parquet(SparkSession spark, String inputUri) {
    Dataset<Row> raw = spark.read().parquet(inputUri);
    StructType schema = raw.schema();
    require(schema, "id", t -> t instanceof StringType, "string");
    require(
        schema,
        "latent",
        t -> t instanceof BinaryType,
        "binary (little-endian C-order tensor bytes)");
    require(
        schema,
        "shape",
        t ->
            t instanceof ArrayType a
                && (a.elementType() instanceof IntegerType
                    || a.elementType() instanceof LongType
                    || a.elementType() instanceof ShortType),
        "array<int> ([C, h, w])");
    boolean hasDtype = Arrays.asList(schema.fieldNames()).contains("dtype");
    if (hasDtype && !(schema.apply("dtype").dataType() instanceof StringType)) {
      throw new JobSetupException(
          "Cannot run: Parquet column 'dtype' is "
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
    List<Column> select =
        new ArrayList<>(
            List.of(
                col("id"),
                col("latent"),
                col("shape").cast(DataTypes.createArrayType(DataTypes.IntegerType)),
                hasDtype ? col("dtype") : lit(null).cast(DataTypes.StringType)));
    if (!carried.isEmpty()) {
      select.add(
          struct(carried.stream().map(f -> col("`" + f.name() + "`")).toArray(Column[]::new))
              .as("carry"));
    }
    return new PlannedInput(
        InputKind.PARQUET,
        inputUri,
        raw.select(select.toArray(Column[]::new)),
        new StructType(carried.toArray(StructField[]::new)));
  }

  private interface TypeCheck {
    boolean accepts(DataType type);
  }

  private static void require(StructType schema, String column, TypeCheck check, String expected) {
    if (!Arrays.asList(schema.fieldNames()).contains(column)) {
      throw new JobSetupException(
          "Cannot run: the Parquet input has no '"
              + column
              + "' column; the latent contract"
              + " needs id (string), latent (binary), shape (array<int>) and optionally dtype (string). Found: "
              + schema.simpleString());
    }
    DataType type = schema.apply(column).dataType();
    if (!check.accepts(type)) {
      throw new JobSetupException(
          "Cannot run: Parquet column '"
              + column
              + "' is "
              + type.simpleString()
              + "; the latent contract needs "
              + expected);
    }
  }
}
