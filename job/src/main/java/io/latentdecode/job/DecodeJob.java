package io.latentdecode.job;

import io.latentdecode.job.commit.CommittedOutput;
import io.latentdecode.job.commit.DriverErrors;
import io.latentdecode.job.commit.ErrorBudget;
import io.latentdecode.job.commit.RunCommitter;
import io.latentdecode.job.commit.RunReport;
import io.latentdecode.job.config.FlagPaths;
import io.latentdecode.job.config.RunOptions;
import io.latentdecode.job.config.WriteMode;
import io.latentdecode.job.plan.CheckedModel;
import io.latentdecode.job.plan.DeviceCheck;
import io.latentdecode.job.plan.DuplicateIds;
import io.latentdecode.job.plan.ExecutorMemoryCheck;
import io.latentdecode.job.plan.ExpectedChannels;
import io.latentdecode.job.plan.FirstNpyLatent;
import io.latentdecode.job.plan.InputFiles;
import io.latentdecode.job.plan.InputListing;
import io.latentdecode.job.plan.InputPlanner;
import io.latentdecode.job.plan.OutputCheck;
import io.latentdecode.job.plan.PlannedInput;
import io.latentdecode.job.plan.ResumePlan;
import io.latentdecode.job.progress.RunProgress;
import io.latentdecode.job.report.ReportSamples;
import io.latentdecode.job.report.RunReportPage;
import io.latentdecode.job.spark.SparkSessions;
import io.latentdecode.job.spark.SparkStart;
import io.latentdecode.udf.contract.ContactSheet;
import io.latentdecode.udf.contract.DecodeSettings;
import io.latentdecode.udf.contract.HadoopConf;
import io.latentdecode.udf.contract.InputKind;
import io.latentdecode.udf.contract.ModelRef;
import io.latentdecode.udf.contract.OutputFormat;
import io.latentdecode.udf.contract.OutputLayout;
import io.latentdecode.udf.contract.OutputSchemas;
import io.latentdecode.udf.contract.RunMetrics;
import io.latentdecode.udf.contract.TaskPlan;
import io.latentdecode.udf.contract.TaskReport;
import io.latentdecode.udf.model.ExecutorMemory;
import io.latentdecode.udf.output.NioLocalFileSystem;
import io.latentdecode.udf.task.DecodePartition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver side of a run: check the input, the model and the output (any problem stops here,
 * before a task starts), plan the input's partitions, let every partition decode on the executors,
 * then commit the run from what the tasks reported.
 */
public final class DecodeJob {
  private static final Logger LOG = LoggerFactory.getLogger(DecodeJob.class);
  private static final String HADOOP_PREFIX = "spark.hadoop.";

  /** Images on the contact sheet of the run's HTML page, and quarantined rows listed there. */
  private static final int REPORT_THUMBNAILS = 24;

  private static final int REPORT_ERROR_ROWS = 50;

  private DecodeJob() {}

  /** Runs {@code options}; the time to the first forward counts from this call. */
  public static RunResult run(RunOptions options) {
    return run(options, Instant.now());
  }

  /**
   * Runs {@code options} for a command that started at {@code commandStarted} (the CLI's JVM
   * start): the run report's time to the first forward counts from there, and its start-up steps
   * begin with what came before this call ({@code command_line}).
   */
  public static RunResult run(RunOptions options, Instant commandStarted) {
    Instant started = Instant.now();
    StartupClock startup = new StartupClock(commandStarted, started);
    int taskCpus = taskCpus(options.sparkConf());
    Map<String, String> executorConf =
        ExecutorMemoryCheck.effectiveConf(options.sparkConf(), options.master());
    boolean containerEnforced = ExecutorMemory.of(executorConf).containerEnforced();
    // Spark's start is the longest step before the first task: it overlaps every check that does
    // not need it (even reading Hadoop's default settings), unless a container check must come
    // before Spark asks for any executor
    SparkStart sparkStart =
        containerEnforced ? null : SparkStart.begin(options.master(), options.sparkConf());
    Checked checked;
    try {
      Configuration checkConf = hadoopConf(options.sparkConf());
      checked = checkWithoutSpark(options, checkConf, taskCpus, startup);
      if (containerEnforced) {
        checkExecutorMemory(checked, executorConf, checkConf, taskCpus);
        startup.lap("executor_memory_check");
        sparkStart = SparkStart.begin(options.master(), options.sparkConf());
      }
    } catch (RuntimeException | Error e) {
      if (sparkStart != null) {
        sparkStart.abandon();
      }
      throw e;
    }
    try (SparkSessions.Session session = sparkStart.session()) {
      startup.lap("waiting_for_spark");
      startup.put("spark_start", sparkStart.startSeconds());
      return decodeAndCommit(session, options, checked, started, taskCpus, startup);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write to --output " + checked.output() + ": " + e.getMessage(), e);
    }
  }

  /** What the checks before Spark found: the input, the output and the loaded model. */
  private record Checked(
      Path input,
      Path output,
      InputListing listing,
      InputKind kind,
      FileSystem outFs,
      boolean clearOutput,
      CheckedModel model) {}

  /**
   * Every check that needs no Spark, in the order a user fixes them: the input is there and of one
   * format, the model resolves, the output can be written, and the model loads and decodes a tiny
   * latent.
   */
  private static Checked checkWithoutSpark(
      RunOptions options, Configuration checkConf, int taskCpus, StartupClock startup) {
    Path input = FlagPaths.qualify(options.input(), checkConf, "--input");
    Path output = FlagPaths.qualify(options.output(), checkConf, "--output");
    InputListing listing = InputListing.of(fileSystem(input, checkConf), input);
    startup.lap("listing");
    InputKind kind = InputFiles.detect(listing, options.inputFormat());
    CheckedModel.Resolved resolved = CheckedModel.resolve(options, checkConf);
    FileSystem outFs = fileSystem(output, checkConf);
    boolean clearOutput = OutputCheck.check(outFs, output, input, options.mode());
    startup.lap("checks");
    CheckedModel model =
        CheckedModel.load(
            resolved,
            checkConf,
            taskCpus,
            tasksDecodeHereOnCpu(options),
            inputChannels(resolved, fileSystem(input, checkConf), listing, kind));
    startup.lap("model_check");
    return new Checked(input, output, listing, kind, outFs, clearOutput, model);
  }

  /**
   * The channels of the input's first latent, where the run's conventions name none: the model
   * check's tiny decode then runs on them, so that the model's first forward (which DJL runs alone)
   * is over before the tasks' forwards begin. A hint only: a model that refuses them logs a
   * warning.
   */
  private static ExpectedChannels inputChannels(
      CheckedModel.Resolved resolved, FileSystem inputFs, InputListing listing, InputKind kind) {
    if (resolved.settings().convention().requiredChannels() > 0) {
      return ExpectedChannels.UNKNOWN;
    }
    return FirstNpyLatent.of(inputFs, listing, kind)
        .map(first -> first.channels(resolved.settings().packing()))
        .orElse(ExpectedChannels.UNKNOWN);
  }

  /** On YARN and Kubernetes: a container that cannot hold the decodes stops the run here. */
  private static void checkExecutorMemory(
      Checked checked, Map<String, String> executorConf, Configuration checkConf, int taskCpus) {
    ExecutorMemoryCheck.check(
        executorConf,
        checked.model().settings(),
        checked.model().ref(),
        checked.model().latentChannels(),
        fileSystem(checked.input(), checkConf),
        checked.listing(),
        checked.kind(),
        checkConf,
        taskCpus);
  }

  /** With Spark up: plan the tasks, decode on the executors, commit and report the run. */
  private static RunResult decodeAndCommit(
      SparkSessions.Session session,
      RunOptions options,
      Checked checked,
      Instant started,
      int taskCpus,
      StartupClock startup)
      throws IOException {
    SparkSession spark = session.spark();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Path output = checked.output();
    FileSystem outFs = checked.outFs();
    CheckedModel model = checked.model();
    if (checked.clearOutput()) {
      LOG.info("--mode overwrite: deleting the previous output at {}", output);
      outFs.delete(output, true);
    }
    DeviceCheck.check(model.settings().device(), spark.sparkContext().getConf());
    String runId = RunId.next(started);
    Planned planned =
        plan(
            session,
            options,
            checked.kind(),
            checked.listing(),
            output,
            outFs,
            model,
            runId,
            conf,
            taskCpus,
            startup);
    RunCommitter committer = new RunCommitter(outFs, output, runId);
    LOG.info(
        "Run {}: decoding {} latents from {} into {} with model {} ({}, sha256 {})",
        runId,
        checked.kind().text(),
        checked.input(),
        output,
        model.ref().fileName(),
        model.resolved().format(),
        model.ref().sha256());
    List<TaskReport> reports = decodeOnExecutors(spark, planned, committer, options);
    reports = withDriverErrors(reports, planned, outFs, output, committer);
    RunReport report =
        RunReport.of(
            planned.plan(),
            options,
            model.describe(),
            spark.sparkContext().master(),
            spark.sparkContext().applicationId(),
            started,
            startup.commandStarted(),
            Instant.now(),
            reports,
            planned.remaining().skipped(),
            planned.remaining().join() == null ? null : planned.remaining().join().text(),
            planned.remaining().filesCommittedWhole(),
            startup.seconds());
    commit(outFs, output, runId, committer, reports, report, options);
    return new RunResult(runId, output, OutputLayout.runReport(output, runId), report);
  }

  /** The run's input as planned (less what is committed and duplicated) and the tasks' plan. */
  private record Planned(
      PlannedInput input,
      Remaining remaining,
      Map<String, Long> duplicates,
      TaskPlan plan,
      int slots) {}

  private static Planned plan(
      SparkSessions.Session session,
      RunOptions options,
      InputKind kind,
      InputListing listing,
      Path output,
      FileSystem outFs,
      CheckedModel model,
      String runId,
      Configuration conf,
      int taskCpus,
      StartupClock startup)
      throws IOException {
    SparkSession spark = session.spark();
    int slots = slots(spark, taskCpus);
    PlannedInput planned =
        InputPlanner.plan(
            spark, kind, options.inputFormat().isPresent(), listing, slots, options.partitions());
    startup.lap("planning");
    Remaining remaining =
        options.mode() == WriteMode.RESUME
            ? skipCommitted(
                spark,
                outFs,
                output,
                planned,
                model.ref(),
                model.settings(),
                options.outputFormat())
            : Remaining.all(planned);
    if (remaining.skipped() > 0 && !planned.isFiles() && options.partitions().isEmpty()) {
      // the rows left after a resume may all sit in a few input splits: spread them over the slots
      remaining =
          remaining.with(
              ResumePlan.spread(
                  remaining.planned(), listing, remaining.left(), remaining.skipped(), slots));
    }
    if (options.mode() == WriteMode.RESUME) {
      startup.lap("resume");
    }
    planned = remaining.planned();
    Map<String, Long> duplicates = DuplicateIds.find(planned);
    planned = DuplicateIds.without(planned, duplicates);
    if (!planned.isFiles()) {
      startup.lap("duplicate_check");
    }
    TaskPlan plan =
        new TaskPlan(
            runId,
            output.toString(),
            listing.root().toString(),
            kind,
            model.ref(),
            model.precisionRef(),
            model.settings(),
            planned.carriedColumns(),
            session.sessionTimeZone(),
            options.maxFileBytes(),
            options.maxFileRows(),
            options.outputFormat(),
            new HadoopConf(conf),
            options.deviceLimits(),
            latentsPerExecutor(spark, planned));
    return new Planned(planned, remaining, duplicates, plan, slots);
  }

  /** The tasks' reports and, when the driver quarantined rows itself, the report of those. */
  private static List<TaskReport> withDriverErrors(
      List<TaskReport> reports,
      Planned planned,
      FileSystem outFs,
      Path output,
      RunCommitter committer)
      throws IOException {
    List<DriverErrors.Row> driverErrors = new java.util.ArrayList<>(planned.input().unreadable());
    driverErrors.removeAll(
        driverErrors.stream()
            .filter(e -> planned.remaining().reported().contains(e.id()))
            .toList());
    driverErrors.addAll(DuplicateIds.errors(planned.duplicates()));
    if (driverErrors.isEmpty()) {
      return reports;
    }
    List<TaskReport> all = new java.util.ArrayList<>(reports);
    try {
      all.add(DriverErrors.write(outFs, output, planned.plan(), driverErrors));
    } catch (IOException e) {
      committer.abort();
      throw e;
    }
    return all;
  }

  /** Whether the run's tasks decode in this JVM on the CPU ({@link CheckedModel#load}). */
  private static boolean tasksDecodeHereOnCpu(RunOptions options) {
    return CheckedModel.tasksDecodeHereOnCpu(
        SparkSessions.effectiveMaster(options.master()),
        options.settings().device(),
        options.sparkConf().containsKey("spark.task.resource.gpu.amount"));
  }

  /** The planned input less what earlier runs committed, and what they already reported. */
  private record Remaining(
      PlannedInput planned,
      long skipped,
      java.util.Set<String> reported,
      long left,
      ResumePlan.Join join,
      int filesCommittedWhole) {
    static Remaining all(PlannedInput planned) {
      return new Remaining(planned, 0, java.util.Set.of(), -1, null, 0);
    }

    Remaining with(PlannedInput other) {
      return new Remaining(other, skipped, reported, left, join, filesCommittedWhole);
    }
  }

  private static Remaining skipCommitted(
      SparkSession spark,
      FileSystem outFs,
      Path output,
      PlannedInput planned,
      ModelRef model,
      DecodeSettings settings,
      OutputFormat format)
      throws IOException {
    CommittedOutput committed = CommittedOutput.read(spark, outFs, output);
    if (committed.isEmpty()) {
      return Remaining.all(planned);
    }
    ResumePlan.checkSameDecode(
        committed,
        CommittedOutput.decodeKey(model.sha256(), OutputSchemas.settingsText(settings)),
        output.toString());
    ResumePlan.checkSameFormat(committed, format, output.toString());
    committed.sweepLeftovers(outFs, output);
    java.util.Set<String> reported =
        new java.util.HashSet<>(
            committed.committedAmong(
                planned.unreadable().stream().map(DriverErrors.Row::id).toList()));
    long all = planned.countAll();
    ResumePlan.Skipped skipped = ResumePlan.skipCommitted(planned, committed);
    planned = skipped.planned();
    long remaining = skipped.join() == ResumePlan.Join.NONE ? 0 : planned.count();
    LOG.info(
        "--mode resume: {} of {} inputs are committed by {} earlier runs ({} ids or files in"
            + " their manifests, left out by a {} join; {} input files committed whole, not"
            + " read); decoding {}",
        all - remaining,
        all,
        committed.runs().size(),
        committed.sourceCount(),
        skipped.join().text(),
        skipped.completeFiles(),
        remaining);
    return new Remaining(
        remaining == 0 ? planned.empty() : planned,
        all - remaining,
        reported,
        remaining,
        skipped.join(),
        skipped.completeFiles());
  }

  /** Runs every partition's decode on the executors; on failure nothing of the run remains. */
  private static List<TaskReport> decodeOnExecutors(
      SparkSession spark, Planned planned, RunCommitter committer, RunOptions options) {
    if (planned.remaining().left() == 0) {
      return List.of(); // a resume with everything committed: no task to start
    }
    TaskPlan plan = planned.plan();
    spark.sparkContext().setJobDescription("latent-decode run " + plan.runId());
    RunMetrics metrics = RunMetrics.register(spark.sparkContext());
    RunProgress progress = null;
    try {
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      Broadcast<TaskPlan> broadcastPlan = jsc.broadcast(plan);
      JavaRDD<InternalRow> tasks =
          planned.input().tasks(jsc, broadcastPlan, planned.slots(), options.partitions());
      JavaRDD<TaskReport> decode =
          tasks.mapPartitions(
              new DecodePartition(
                  broadcastPlan,
                  metrics,
                  new ContactSheet(REPORT_THUMBNAILS, tasks.getNumPartitions())));
      progress =
          RunProgress.start(
              spark.sparkContext(),
              metrics,
              decode.id(),
              RunProgress.onTerminal(),
              options.progressInterval());
      return decode.collect();
    } catch (Exception e) { // SparkException is checked, though Scala does not declare it
      committer.abort();
      throw e;
    } finally {
      if (progress != null) {
        progress.close();
      }
    }
  }

  /** Commits the run, or refuses it when more rows were quarantined than the budget allows. */
  private static void commit(
      FileSystem outFs,
      Path output,
      String runId,
      RunCommitter committer,
      List<TaskReport> reports,
      RunReport report,
      RunOptions options)
      throws IOException {
    try {
      ErrorBudget.check(
          reports,
          options.maxErrorFraction(),
          OutputLayout.runsDir(output) + "/" + runId + "-errors/");
    } catch (RunFailedException e) {
      committer.rejectOverBudget(reports, report.withStatus("failed_error_budget").toJson());
      throw e;
    }
    try {
      committer.commit(
          reports,
          report.toJson(),
          RunReportPage.html(
              report.fields(),
              ReportSamples.read(outFs, output, reports, REPORT_THUMBNAILS, REPORT_ERROR_ROWS)));
    } catch (IOException | RuntimeException e) {
      committer.abort();
      throw e;
    }
  }

  /**
   * About how many latents each executor decodes: the input's (files, or the rows the Parquet
   * footers count) over the executors registered now (one in local mode; with dynamic allocation
   * more may come, and each then decodes fewer).
   */
  private static long latentsPerExecutor(SparkSession spark, PlannedInput planned) {
    int executors =
        spark.sparkContext().isLocal()
            ? 1
            : Math.max(1, spark.sparkContext().getExecutorMemoryStatus().size() - 1);
    return (planned.countAll() + executors - 1) / executors;
  }

  /** Tasks that run at once: Spark's default parallelism (its cores) over the cores per task. */
  private static int slots(SparkSession spark, int taskCpus) {
    return Math.max(1, spark.sparkContext().defaultParallelism() / Math.max(1, taskCpus));
  }

  /** PyTorch threads per task: the cores Spark reserves for each task. */
  private static int taskCpus(Map<String, String> sparkConf) {
    String value = sparkConf.getOrDefault("spark.task.cpus", "1");
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new JobSetupException(
          "Cannot run: --conf spark.task.cpus=" + value + " is not a whole number of cores");
    }
  }

  /**
   * The Hadoop settings among {@code --conf} ones ({@code spark.hadoop.KEY=VALUE} sets KEY), with
   * {@code file:} served by {@link NioLocalFileSystem} unless they name another.
   */
  public static Configuration hadoopConf(Map<String, String> sparkConf) {
    Configuration conf = new Configuration();
    sparkConf.forEach(
        (k, v) -> {
          if (k.startsWith(HADOOP_PREFIX)) {
            conf.set(k.substring(HADOOP_PREFIX.length()), v);
          }
        });
    NioLocalFileSystem.setDefault(conf);
    return conf;
  }

  private static FileSystem fileSystem(Path path, Configuration conf) {
    try {
      return path.getFileSystem(conf);
    } catch (IOException e) {
      throw JobSetupException.external(
          "Cannot run: no file system for " + path + ": " + e.getMessage(), e);
    }
  }
}
