package io.latentdecode.job.commit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentdecode.job.config.RunOptions;
import io.latentdecode.udf.contract.BatchSizeChoice;
import io.latentdecode.udf.contract.DeviceTimeline;
import io.latentdecode.udf.contract.OutputSchemas;
import io.latentdecode.udf.contract.TaskPlan;
import io.latentdecode.udf.contract.TaskReport;
import io.latentdecode.udf.contract.TaskStages;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code _runs/<run-id>.json}: what a run did, summed from its task reports (counts, time,
 * images/s, settings, model digest, per-executor figures). Field names are snake_case and stable:
 * tools read them.
 */
public final class RunReport {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Map<String, Object> fields;

  private RunReport(Map<String, Object> fields) {
    this.fields = fields;
  }

  /**
   * @param model what the model is and where its decode conventions came from (see {@code
   *     ResolvedModel#describe})
   * @param resumeJoin how a resumed run left out the committed inputs ({@code file_set}, {@code
   *     none}: every file committed whole, {@code broadcast}, {@code shuffle}), or null
   * @param commandStarted when the command that ran the run started (the CLI's JVM start, else the
   *     run's start): the time to the first forward counts from there
   * @param filesCommittedWhole Parquet files a resumed run did not read, all their rows committed
   * @param startupSeconds where the time before the first task went (the command line, checks,
   *     model check, Spark's start, planning)
   */
  public static RunReport of(
      TaskPlan plan,
      RunOptions options,
      Map<String, Object> model,
      String master,
      String appId,
      Instant started,
      Instant commandStarted,
      Instant finished,
      List<TaskReport> tasks,
      long skippedInputs,
      String resumeJoin,
      int filesCommittedWhole,
      Map<String, Double> startupSeconds) {
    long images = 0;
    long batches = 0;
    long mergedBatches = 0;
    long fp32Redecoded = 0;
    long tiledImages = 0;
    long oomSplits = 0;
    long bytes = 0;
    long imageFiles = 0;
    long errorFiles = 0;
    Map<String, Long> errorsByKind = new TreeMap<>();
    Map<String, Long> stageNanos = new LinkedHashMap<>();
    Map<String, Map<String, Object>> executors = new TreeMap<>();
    Map<String, DeviceWindow> windows = new TreeMap<>();
    long firstForwardMillis = Long.MAX_VALUE;
    for (TaskReport t : tasks) {
      if (t.timeline().startMillis() > 0) {
        windows.computeIfAbsent(t.executorId(), id -> new DeviceWindow()).add(t.timeline());
      }
      if (t.timeline().firstForwardMillis() > 0) {
        firstForwardMillis = Math.min(firstForwardMillis, t.timeline().firstForwardMillis());
      }
      images += t.images();
      batches += t.batches();
      mergedBatches += t.mergedBatches();
      fp32Redecoded += t.fp32Redecoded();
      tiledImages += t.tiledImages();
      oomSplits += t.oomSplits();
      bytes += t.bytesWritten();
      imageFiles += t.imageFiles().size();
      errorFiles += t.errorFiles().size();
      t.errorsByKind().forEach((k, v) -> errorsByKind.merge(k, v, Long::sum));
      t.nanosByStage().forEach((k, v) -> stageNanos.merge(k, v, Long::sum));
      Map<String, Object> e =
          executors.computeIfAbsent(
              t.executorId(),
              id ->
                  new LinkedHashMap<>(
                      Map.of(
                          "executor_id",
                          id,
                          "jvm",
                          t.jvmName(),
                          "device",
                          t.device(),
                          "precision",
                          t.precision(),
                          "tasks",
                          0L,
                          "images",
                          0L,
                          "model_loads_in_jvm",
                          0,
                          "decodes_per_device",
                          t.decodesPerDevice(),
                          "batch_sizes",
                          new TreeMap<String, Integer>(),
                          "peak_rss_mb",
                          0L)));
      e.merge("tasks", 1L, (a, b) -> (Long) a + (Long) b);
      e.merge("images", t.images(), (a, b) -> (Long) a + (Long) b);
      @SuppressWarnings("unchecked")
      Map<String, Integer> sizes = (Map<String, Integer>) e.get("batch_sizes");
      t.batchSizes().forEach((shape, size) -> sizes.merge(shape, size, Math::max));
      @SuppressWarnings("unchecked")
      Map<String, Object> searched =
          (Map<String, Object>) e.computeIfAbsent("batch_size_search", k -> new TreeMap<>());
      t.batchSizeSearch()
          .forEach(
              (shape, found) -> searched.merge(shape, searchJson(found), RunReport::moreComplete));
      e.merge("peak_rss_mb", t.peakRssBytes() >> 20, (a, b) -> Math.max((Long) a, (Long) b));
      e.merge(
          "model_loads_in_jvm", t.modelLoadsInJvm(), (a, b) -> Math.max((Integer) a, (Integer) b));
    }
    long errors = errorsByKind.values().stream().mapToLong(Long::longValue).sum();
    double seconds = Duration.between(started, finished).toNanos() / 1e9;
    for (Map<String, Object> e : executors.values()) {
      settledSizes(e);
      e.put("images_per_second", round(seconds > 0 ? (Long) e.get("images") / seconds : 0));
      DeviceWindow window = windows.get((String) e.get("executor_id"));
      if (window != null) {
        e.put("device_utilisation", round(window.utilisation()));
        e.put("decode_seconds", round(window.seconds()));
      }
    }

    Map<String, Object> f = new LinkedHashMap<>();
    f.put("run_id", plan.runId());
    f.put("status", "succeeded");
    f.put("started_at", started.toString());
    f.put("finished_at", finished.toString());
    f.put("duration_seconds", round(seconds));
    f.put("startup_seconds", startupSeconds);
    if (firstForwardMillis != Long.MAX_VALUE) {
      f.put(
          "time_to_first_forward_seconds",
          round(Math.max(0, firstForwardMillis - commandStarted.toEpochMilli()) / 1000.0));
    }
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("uri", plan.inputUri());
    input.put("format", plan.inputKind().text());
    if (resumeJoin != null) {
      input.put("resume_join", resumeJoin);
      input.put("resume_files_committed_whole", filesCommittedWhole);
    }
    f.put("input", input);
    Map<String, Object> output = new LinkedHashMap<>();
    output.put("uri", plan.outputUri());
    output.put("mode", options.mode().text());
    output.put("format", plan.outputFormat().text());
    f.put("output", output);
    f.put("model", model);
    f.put("settings", OutputSchemas.settingsJson(plan.settings()));
    Map<String, Object> counts = new LinkedHashMap<>();
    counts.put("rows", images + errors);
    counts.put("images", images);
    counts.put("errors", errors);
    counts.put("errors_by_kind", errorsByKind);
    counts.put("skipped_committed_inputs", skippedInputs);
    counts.put("batches", batches);
    counts.put("merged_batches", mergedBatches);
    counts.put("fp32_redecoded", fp32Redecoded);
    counts.put("tiled_images", tiledImages);
    counts.put("oom_splits", oomSplits);
    counts.put("tasks", tasks.size());
    counts.put("image_files", imageFiles);
    counts.put("error_files", errorFiles);
    counts.put("bytes_written", bytes);
    f.put("counts", counts);
    f.put("images_per_second", round(seconds > 0 ? images / seconds : 0));
    Map<String, Object> stages = new LinkedHashMap<>();
    for (String stage : TaskStages.ORDER) {
      Long nanos = stageNanos.remove(stage);
      if (nanos != null) {
        stages.put(stage, round(nanos / 1e9));
      }
    }
    stageNanos.forEach((k, v) -> stages.put(k, round(v / 1e9)));
    f.put("task_seconds_by_stage", stages);
    f.put("executors", new ArrayList<>(executors.values()));
    f.put(
        "spark",
        Map.of(
            "master",
            master,
            "application_id",
            appId,
            "version",
            org.apache.spark.package$.MODULE$.SPARK_VERSION()));
    return new RunReport(f);
  }

  /** The same report with another status (e.g. {@code failed_error_budget}). */
  public RunReport withStatus(String status) {
    Map<String, Object> f = new LinkedHashMap<>(fields);
    f.put("status", status);
    return new RunReport(f);
  }

  public Map<String, Object> fields() {
    return fields;
  }

  public byte[] toJson() throws IOException {
    return JSON.writeValueAsBytes(fields);
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** One shape's {@code --batch-size auto} result, as the report shows it. */
  private static Map<String, Object> searchJson(BatchSizeChoice found) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("chosen", found.chosen());
    json.put("settled", found.settled());
    Map<String, Double> rates = new TreeMap<>();
    found.imagesPerSecond().forEach((size, rate) -> rates.put(String.valueOf(size), rate));
    json.put("forward_images_per_second", rates);
    json.put("cost_seconds", round(found.costSeconds()));
    return json;
  }

  /**
   * A shape whose search settled got the size it settled on: a task that ended while the search
   * still tried a larger size reported that one.
   */
  @SuppressWarnings("unchecked")
  private static void settledSizes(Map<String, Object> executor) {
    Map<String, Integer> sizes = (Map<String, Integer>) executor.get("batch_sizes");
    Map<String, Object> searched = (Map<String, Object>) executor.get("batch_size_search");
    if (searched == null) {
      return;
    }
    searched.forEach(
        (shape, found) -> {
          Map<String, Object> search = (Map<String, Object>) found;
          if ((Boolean) search.get("settled")) {
            sizes.put(shape, (Integer) search.get("chosen"));
          }
        });
  }

  /** Of two tasks' views of one JVM's search, the one that saw more of it. */
  @SuppressWarnings("unchecked")
  private static Object moreComplete(Object a, Object b) {
    Map<String, Object> x = (Map<String, Object>) a;
    Map<String, Object> y = (Map<String, Object>) b;
    if (!x.get("settled").equals(y.get("settled"))) {
      return (Boolean) x.get("settled") ? x : y;
    }
    int triedX = ((Map<String, Double>) x.get("forward_images_per_second")).size();
    int triedY = ((Map<String, Double>) y.get("forward_images_per_second")).size();
    return triedX >= triedY ? x : y;
  }

  /**
   * One executor's decode phase: from its first task's start to its last task's end, and the time
   * its device had a forward running meanwhile.
   */
  private static final class DeviceWindow {
    private long startMillis = Long.MAX_VALUE;
    private long endMillis;
    private long busyStartNanos = Long.MAX_VALUE;
    private long busyEndNanos;

    void add(DeviceTimeline t) {
      startMillis = Math.min(startMillis, t.startMillis());
      endMillis = Math.max(endMillis, t.endMillis());
      busyStartNanos = Math.min(busyStartNanos, t.busyAtStartNanos());
      busyEndNanos = Math.max(busyEndNanos, t.busyAtEndNanos());
    }

    double seconds() {
      return Math.max(0, endMillis - startMillis) / 1000.0;
    }

    double utilisation() {
      double wallNanos = (endMillis - startMillis) * 1e6;
      return wallNanos <= 0 ? 0 : Math.min(1, (busyEndNanos - busyStartNanos) / wallNanos);
    }
  }
}
