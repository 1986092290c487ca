package io.latentdecode.udf.task;

import io.latentdecode.udf.contract.ContactSheet;
import io.latentdecode.udf.contract.DeviceTimeline;
import io.latentdecode.udf.contract.OutputLayout;
import io.latentdecode.udf.contract.OutputSchemas;
import io.latentdecode.udf.contract.RunMetrics;
import io.latentdecode.udf.contract.TaskPlan;
import io.latentdecode.udf.contract.TaskReport;
import io.latentdecode.udf.contract.TaskStages;
import io.latentdecode.udf.model.DecoderCache;
import io.latentdecode.udf.model.ProcessMemory;
import io.latentdecode.udf.output.ArrowAllocators;
import io.latentdecode.udf.output.ErrorFileWriter;
import io.latentdecode.udf.output.ImageFileWriter;
import io.latentdecode.udf.output.StagedFile;
import io.latentdecode.udf.output.TaskFilesCommitter;
import io.latentdecode.udf.output.TaskManifest;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * The executor side of a run, one call per partition: take the executor's shared decoder, decode
 * every row into the task attempt's private folder, publish the files through Spark's commit
 * coordination, and return a small {@link TaskReport}. On any failure the attempt folder is deleted
 * and nothing is published.
 */
public final class DecodePartition implements FlatMapFunction<Iterator<InternalRow>, TaskReport> {
  private static final long serialVersionUID = 1L;

  private final Broadcast<TaskPlan> broadcastPlan;
  private final RunMetrics metrics;
  private final ContactSheet sheet;

  /**
   * @param plan the run's plan, broadcast once to every executor rather than shipped with each task
   * @param metrics the run's accumulators (in the closure: Spark registers them per task)
   * @param sheet the thumbnails each task makes for the run page
   */
  public DecodePartition(Broadcast<TaskPlan> plan, RunMetrics metrics, ContactSheet sheet) {
    this.broadcastPlan = plan;
    this.metrics = metrics;
    this.sheet = sheet;
  }

  private static long peakResidentBytes() {
    try {
      return ProcessMemory.supported() ? ProcessMemory.peakResidentBytes() : 0;
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  @Override
  public Iterator<TaskReport> call(Iterator<InternalRow> input) throws Exception {
    long start = System.nanoTime();
    long startMillis = System.currentTimeMillis();
    TaskPlan plan = broadcastPlan.value();
    TaskContext task = TaskContext.get();
    int partition = task.partitionId();
    int attempt = task.attemptNumber();
    Configuration conf = plan.hadoopConf().get();
    Path output = new Path(plan.outputUri());
    FileSystem fs = output.getFileSystem(conf);
    Path attemptDir = OutputLayout.attemptDir(output, plan.runId(), partition, attempt);

    StageClock clock = new StageClock();
    try (BufferAllocator allocator = ArrowAllocators.forTask("task-" + partition + "-" + attempt);
        ImageFileWriter images = new ImageFileWriter(allocator, plan, fs, attemptDir, partition);
        ErrorFileWriter errors =
            new ErrorFileWriter(
                allocator,
                OutputSchemas.errors(plan),
                fs,
                attemptDir,
                partition,
                plan.runId(),
                plan.maxFileBytes());
        TaskDecoding decoding = new TaskDecoding(plan, task, conf)) {
      PartitionDecoder loop =
          decoding.loop(
              "p" + partition + "-a" + attempt,
              allocator,
              images,
              errors,
              clock,
              metrics,
              sheet.forPartition(partition));
      loop.decodeAll(input);
      List<StagedFile> imageFiles = images.finish();
      List<StagedFile> errorFiles = errors.finish();
      List<StagedFile> all = new ArrayList<>(imageFiles);
      all.addAll(errorFiles);
      long publishStart = System.nanoTime();
      TaskManifest manifest =
          new TaskManifest(
              plan.runId(),
              partition,
              attempt,
              imageFiles.stream().map(StagedFile::publishedName).toList(),
              errorFiles.stream().map(StagedFile::publishedName).toList(),
              imageFiles.stream().mapToLong(StagedFile::bytes).sum(),
              loop.sourceKind(),
              loop.sources(),
              loop.rowsByInputFile(),
              loop.images(),
              loop.errors(),
              plan.model().sha256(),
              OutputSchemas.settingsText(plan.settings()));
      if (all.isEmpty() && loop.sources().isEmpty()) {
        fs.delete(attemptDir, true); // an empty partition commits nothing
      } else {
        new TaskFilesCommitter(fs, output, attemptDir, all, manifest).commit(task);
      }
      clock.since(TaskStages.PUBLISH, publishStart);
      TaskReport report =
          new TaskReport(
              partition,
              attempt,
              SparkEnv.get() == null ? "unknown" : SparkEnv.get().executorId(),
              ManagementFactory.getRuntimeMXBean().getName(),
              decoding.device().toString(),
              decoding.precision().text(),
              DecoderCache.loadCount(),
              imageFiles.stream().map(StagedFile::publishedName).toList(),
              errorFiles.stream().map(StagedFile::publishedName).toList(),
              loop.images(),
              loop.errorsByKind(),
              loop.batches(),
              loop.mergedBatches(),
              loop.batchSizes(),
              loop.batchSizeSearch(),
              decoding.service().workers(),
              loop.fp32Redecoded(),
              loop.tiledImages(),
              loop.oomSplits(),
              all.stream().mapToLong(StagedFile::bytes).sum(),
              clock.snapshot(),
              System.nanoTime() - start,
              peakResidentBytes(),
              new DeviceTimeline(
                  startMillis,
                  System.currentTimeMillis(),
                  loop.firstForwardMillis(),
                  decoding.busyAtStart(),
                  decoding.service().busyNanos()),
              loop.thumbnails());
      return List.of(report).iterator();
    } catch (Throwable t) {
      try {
        fs.delete(attemptDir, true);
      } catch (Exception cleanup) {
        t.addSuppressed(cleanup);
      }
      throw t;
    }
  }
}
