package io.latentdecode.udf.contract;

import org.apache.hadoop.fs.Path;

/**
 * Where things live under {@code --output}. Image files are {@code *.arrow} (or the suffix of the
 * run's {@link OutputFormat}) anywhere outside directories whose names start with {@code _} or
 * {@code .}; everything else the job writes lives in such directories. File names carry the
 * partition, the run id and a chunk number, so they are unique and greppable.
 */
public final class OutputLayout {
  public static final String SUCCESS_MARKER = "_SUCCESS";
  public static final String RUNS_DIR = "_runs";
  public static final String ERRORS_DIR = "_errors";
  public static final String TEMPORARY_DIR = "_temporary";
  public static final String MANIFESTS_DIR = "_manifests";
  public static final String FILE_SUFFIX = ".arrow";

  private OutputLayout() {}

  /** {@code part-00007-<runId>-c002.arrow}: the chunk-th file of a partition's images or errors. */
  public static String partFileName(int partition, String runId, int chunk) {
    return partFileName(partition, runId, chunk, FILE_SUFFIX);
  }

  /** The chunk-th file of a partition's images or errors, ending in {@code suffix}. */
  public static String partFileName(int partition, String runId, int chunk, String suffix) {
    return String.format("part-%05d-%s-c%03d%s", partition, runId, chunk, suffix);
  }

  /** True for file names the given run publishes (images or errors). */
  public static boolean isPartFileOf(String fileName, String runId) {
    return fileName.startsWith("part-")
        && fileName.contains("-" + runId + "-c")
        && OutputFormat.ofFileName(fileName) != null;
  }

  /** True for the name of a file some run published (images or errors) in any format. */
  public static boolean isPartFile(String fileName) {
    return fileName.startsWith("part-") && OutputFormat.ofFileName(fileName) != null;
  }

  /**
   * True for a name that readers of images skip: directories and files starting with {@code _} or
   * {@code .}.
   */
  public static boolean isHidden(String name) {
    return name.startsWith("_") || name.startsWith(".");
  }

  public static Path errorsDir(Path output) {
    return new Path(output, ERRORS_DIR);
  }

  public static Path runsDir(Path output) {
    return new Path(output, RUNS_DIR);
  }

  public static Path runReport(Path output, String runId) {
    return new Path(runsDir(output), runId + ".json");
  }

  /** {@code _runs/<runId>.html}: the run report as a page, with sample images. */
  public static Path runReportPage(Path output, String runId) {
    return new Path(runsDir(output), runId + ".html");
  }

  public static Path successMarker(Path output) {
    return new Path(output, SUCCESS_MARKER);
  }

  public static Path manifestsDir(Path output) {
    return new Path(output, MANIFESTS_DIR);
  }

  /** {@code _manifests/<runId>/part-00007.json}: what partition 7 of the run committed. */
  public static Path taskManifest(Path output, String runId, int partition) {
    return new Path(
        new Path(manifestsDir(output), runId), String.format("part-%05d.json", partition));
  }

  public static Path runTemporaryDir(Path output, String runId) {
    return new Path(new Path(output, TEMPORARY_DIR), runId);
  }

  /** The private folder of one task attempt; nothing in it is ever output. */
  public static Path attemptDir(Path output, String runId, int partition, int attempt) {
    return new Path(
        runTemporaryDir(output, runId), String.format("task-%05d-attempt-%d", partition, attempt));
  }
}
