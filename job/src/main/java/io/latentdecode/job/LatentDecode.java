package io.latentdecode.job;

import io.latentdecode.job.cli.DecodeFlags;
import io.latentdecode.job.config.RunOptions;
import io.latentdecode.job.plan.CheckedModel;
import io.latentdecode.job.plan.DeviceCheck;
import io.latentdecode.job.plan.ExpectedChannels;
import io.latentdecode.job.plan.InputPlanner;
import io.latentdecode.udf.contract.HadoopConf;
import io.latentdecode.udf.contract.InputKind;
import io.latentdecode.udf.contract.OutputFormat;
import io.latentdecode.udf.contract.OutputSchemas;
import io.latentdecode.udf.contract.RunMetrics;
import io.latentdecode.udf.contract.TaskPlan;
import io.latentdecode.udf.task.DecodeRowsPartition;
import java.time.Instant;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Latents decoded inside a Spark program: a Dataset of latents in, a Dataset of images out, lazily,
 * by the same executor code as {@code latent-decode run} (the executor's shared decoder and decode
 * service, micro-batches, inference mode, the fp32 fallback, OOM splits). Writing and committing
 * the result is the caller's Spark writer's job.
 */
public final class LatentDecode {
  private LatentDecode() {}

  /**
   * Decodes a Dataset with the latent table contract's columns ({@code id} string, {@code latent}
   * binary, {@code shape} array of int {@code [C, h, w]}, optional {@code dtype}; every other
   * column is carried through). The result has one row per input latent (more for a batched
   * tensor): {@code id, image, format, width, height}, the carried columns, then {@code error_kind}
   * and {@code error_message}, which are null for a decoded image and say why for a quarantined row
   * (whose image columns are null).
   *
   * <p>The model is resolved, loaded and tried on a tiny latent here, on the driver, so a bad model
   * or setting throws (a {@link JobSetupException} with the CLI's one-line message) before any
   * task; the decode itself runs when an action needs the rows, once per action (cache or write the
   * result to decode once).
   */
  public static Dataset<Row> decode(Dataset<Row> latents, DecodeOptions options) {
    org.apache.spark.sql.classic.SparkSession spark =
        (org.apache.spark.sql.classic.SparkSession) latents.sparkSession();
    SparkContext sc = spark.sparkContext();
    StructType carried = carriedColumns(latents.schema());
    RunOptions run = options.run();
    Configuration conf = sc.hadoopConfiguration();
    int taskCpus = sc.getConf().getInt("spark.task.cpus", 1);
    CheckedModel model =
        CheckedModel.load(
            CheckedModel.resolve(run, conf),
            conf,
            taskCpus,
            CheckedModel.tasksDecodeHereOnCpu(
                sc.master(),
                run.settings().device(),
                sc.getConf().contains("spark.task.resource.gpu.amount")),
            ExpectedChannels.UNKNOWN);
    DeviceCheck.check(model.settings().device(), sc.getConf());
    TaskPlan plan =
        new TaskPlan(
            RunId.next(Instant.now()),
            DecodeFlags.NO_PATH,
            DecodeFlags.NO_PATH,
            InputKind.PARQUET, // the table contract's row layout
            model.ref(),
            model.precisionRef(),
            model.settings(),
            carried,
            spark.sessionState().conf().sessionLocalTimeZone(),
            TaskPlan.MAX_FILE_BYTES_DEFAULT,
            Long.MAX_VALUE,
            OutputFormat.DEFAULT,
            new HadoopConf(conf),
            run.deviceLimits(),
            0); // a DataFrame's row count is not known without running its plan
    JavaRDD<InternalRow> input = inputRows(spark, latents, carried);
    Broadcast<TaskPlan> broadcastPlan = JavaSparkContext.fromSparkContext(sc).broadcast(plan);
    JavaRDD<InternalRow> decoded =
        input.mapPartitions(new DecodeRowsPartition(broadcastPlan, RunMetrics.register(sc)));
    return spark.internalCreateDataFrame(decoded.rdd(), OutputSchemas.decodedRows(carried), false);
  }

  /**
   * The input's rows in the executor's row layout, as an RDD that runs nothing yet. The plan is
   * executed in a copy of the session without adaptive query execution, which would run the input's
   * shuffles (a {@code repartition}) here, to learn their sizes, instead of when an action needs
   * the decoded rows.
   */
  private static JavaRDD<InternalRow> inputRows(
      org.apache.spark.sql.classic.SparkSession spark, Dataset<Row> latents, StructType carried) {
    List<Column> columns = InputPlanner.latentColumns(latents.schema(), carried);
    org.apache.spark.sql.classic.SparkSession planning = spark.cloneSession();
    planning.sessionState().conf().setConfString("spark.sql.adaptive.enabled", "false");
    org.apache.spark.sql.classic.Dataset<Row> selected =
        (org.apache.spark.sql.classic.Dataset<Row>) latents.select(columns.toArray(Column[]::new));
    return org.apache.spark.sql.classic.Dataset.ofRows(planning, selected.logicalPlan())
        .queryExecution()
        .toRdd()
        .toJavaRDD();
  }

  /** The input's columns beyond the contract's; refused where one has an output column's name. */
  private static StructType carriedColumns(StructType schema) {
    StructType carried = InputPlanner.checkTableContract(schema, "DataFrame");
    for (StructField field : carried.fields()) {
      if (field.name().equals(OutputSchemas.ERROR_KIND)
          || field.name().equals(OutputSchemas.ERROR_MESSAGE)) {
        throw new JobSetupException(
            "Cannot decode: input column '"
                + field.name()
                + "' has the name of an output column (error_kind, error_message); rename it");
      }
    }
    return carried;
  }
}
