package io.latentdecode.job.commit;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.JsonNode;
import io.latentdecode.udf.contract.OutputFormat;
import io.latentdecode.udf.contract.OutputLayout;
import io.latentdecode.udf.output.TaskSources;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What earlier runs committed to an output, from the task manifests under {@code _manifests/} alone
 * (no image file is read): the committed files, and the inputs they consumed as a Spark dataset, so
 * that a resumed run can skip them with a join however many there are.
 */
public final class CommittedOutput {
  private static final Logger LOG = LoggerFactory.getLogger(CommittedOutput.class);

  /** Settings that do not change pixels: a resumed run may change them. */
  private static final List<String> RUN_ONLY_SETTINGS =
      List.of("batch_size", "device", "max_image_pixels", "png_compression");

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private final SparkSession spark;
  private final FileSystem fs;
  private final Set<String> files;
  private final Set<String> runs;
  private final Set<String> decodes;
  private final List<Path> sourceFiles;
  private final List<String> inlineSources;
  private final long sourceCount;
  private final Map<String, Long> rowsByInputFile;

  private CommittedOutput(
      SparkSession spark,
      FileSystem fs,
      Set<String> files,
      Set<String> runs,
      Set<String> decodes,
      List<Path> sourceFiles,
      List<String> inlineSources,
      long sourceCount,
      Map<String, Long> rowsByInputFile) {
    this.spark = spark;
    this.fs = fs;
    this.files = files;
    this.runs = runs;
    this.decodes = decodes;
    this.sourceFiles = sourceFiles;
    this.inlineSources = inlineSources;
    this.sourceCount = sourceCount;
    this.rowsByInputFile = rowsByInputFile;
  }

  /**
   * Reads the manifests on the driver, in parallel (one small JSON file per committed task: their
   * files, model and counts, not their sources); an output without any is empty.
   */
  public static CommittedOutput read(SparkSession spark, FileSystem fs, Path output)
      throws IOException {
    Path dir = OutputLayout.manifestsDir(output);
    List<Path> manifests = new ArrayList<>();
    if (fs.exists(dir)) {
      List<Path> runDirs = new ArrayList<>();
      for (FileStatus status : fs.listStatus(dir)) {
        if (status.isDirectory()) {
          runDirs.add(status.getPath());
        }
      }
      for (FileStatus[] parts :
          ParallelReads.map(
              runDirs, run -> fs.listStatus(run, p -> p.getName().endsWith(".json")))) {
        for (FileStatus part : parts) {
          manifests.add(part.getPath());
        }
      }
    }
    Set<String> files = new HashSet<>();
    Set<String> runs = new HashSet<>();
    Set<String> decodes = new HashSet<>();
    List<Path> sourceFiles = new ArrayList<>();
    List<String> inline = new ArrayList<>();
    Map<String, Long> rowsByFile = new HashMap<>();
    long count = 0;
    for (JsonNode m : ParallelReads.map(manifests, p -> readJson(fs, p))) {
      runs.add(m.path("run_id").asText());
      m.path("image_files").forEach(f -> files.add(f.asText()));
      m.path("error_files").forEach(f -> files.add(f.asText()));
      decodes.add(decodeKey(m.path("model_sha256").asText(), m.path("settings").asText()));
      m.path("rows_by_input_file")
          .properties()
          .forEach(e -> rowsByFile.merge(e.getKey(), e.getValue().asLong(), Long::sum));
      if (m.hasNonNull("sources_file")) {
        sourceFiles.add(
            new Path(new Path(dir, m.path("run_id").asText()), m.path("sources_file").asText()));
        count += m.path("source_count").asLong();
      } else { // manifests written before the sources files hold their sources inline
        m.path("sources").forEach(source -> inline.add(source.asText()));
        count += m.path("sources").size();
      }
    }
    return new CommittedOutput(
        spark, fs, files, runs, decodes, sourceFiles, inline, count, rowsByFile);
  }

  private static JsonNode readJson(FileSystem fs, Path file) throws IOException {
    try (java.io.InputStream in = fs.open(file)) {
      return JSON.readTree(in);
    }
  }

  /** The formats of the committed image files (quarantine files are Arrow whatever the format). */
  public Set<OutputFormat> imageFormats() {
    Set<OutputFormat> formats = EnumSet.noneOf(OutputFormat.class);
    for (String file : files) {
      if (!file.startsWith(OutputLayout.ERRORS_DIR + "/")) {
        boolean partFile = OutputLayout.isPartFile(new Path(file).getName());
        formats.add(partFile ? OutputFormat.ofFileName(file) : OutputFormat.FILES);
      }
    }
    return formats;
  }

  /** The model and settings of a decode, as one comparable string. */
  public static String decodeKey(String modelSha256, String settingsJson) {
    String settings = settingsJson;
    try {
      com.fasterxml.jackson.databind.node.ObjectNode json =
          (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(settingsJson);
      RUN_ONLY_SETTINGS.forEach(json::remove);
      settings = json.toString();
    } catch (IOException | RuntimeException e) {
      // compare the text as it is
    }
    return "model sha256 " + modelSha256 + " with settings " + settings;
  }

  /** How many inputs the manifests say were consumed, from their counts alone. */
  public long sourceCount() {
    return sourceCount;
  }

  /**
   * Table inputs: the rows committed from each input file, keyed as the tasks saw the file (Spark's
   * {@code _metadata.file_path}).
   */
  public Map<String, Long> rowsByInputFile() {
    return rowsByInputFile;
  }

  /** The distinct (model, settings) the committed tasks were decoded with. */
  public Set<String> decodes() {
    return decodes;
  }

  public boolean isEmpty() {
    return runs.isEmpty();
  }

  /** The runs that committed tasks here. */
  public Set<String> runs() {
    return runs;
  }

  /** Which of these ids or paths earlier runs already committed (a few, checked in Spark). */
  public Set<String> committedAmong(List<String> candidates) {
    if (candidates.isEmpty() || isEmpty()) {
      return Set.of();
    }
    Set<String> found = new HashSet<>();
    for (Row r : sources().filter(col("source").isin(candidates.toArray())).collectAsList()) {
      found.add(r.getString(0));
    }
    return found;
  }

  /**
   * The input files earlier runs consumed, for a file input's resume, read on the driver in
   * parallel: as many paths as the listing they are taken from holds at most.
   */
  public Set<String> committedFiles() throws IOException {
    Set<String> done = new HashSet<>(inlineSources);
    for (List<String> sources : ParallelReads.map(sourceFiles, f -> TaskSources.read(fs, f))) {
      done.addAll(sources);
    }
    return done;
  }

  /**
   * The consumed inputs (one column, {@code source}): input file paths, or row ids, read by Spark
   * from the tasks' sources files when a query needs them, never collected on the driver.
   */
  public Dataset<Row> sources() {
    Dataset<Row> inline =
        spark.createDataset(inlineSources, Encoders.STRING()).toDF(TaskSources.COLUMN);
    if (sourceFiles.isEmpty()) {
      return inline;
    }
    Dataset<Row> fromFiles =
        spark
            .read()
            .schema(new StructType().add(TaskSources.COLUMN, DataTypes.StringType, false))
            .parquet(sourceFiles.stream().map(Path::toString).toArray(String[]::new));
    return inlineSources.isEmpty() ? fromFiles : fromFiles.unionAll(inline);
  }

  /**
   * Deletes what runs that died left behind: part files no manifest names (published by a task
   * whose manifest never came) and {@code _temporary}. Only safe while no other run writes here.
   */
  public void sweepLeftovers(FileSystem fs, Path output) throws IOException {
    sweep(fs, output, "");
    sweep(fs, OutputLayout.errorsDir(output), OutputLayout.ERRORS_DIR + "/");
    fs.delete(new Path(output, OutputLayout.TEMPORARY_DIR), true);
  }

  private void sweep(FileSystem fs, Path dir, String prefix) throws IOException {
    if (!fs.exists(dir)) {
      return;
    }
    for (FileStatus status : fs.listStatus(dir)) {
      String name = status.getPath().getName();
      if (status.isFile() && OutputLayout.isPartFile(name) && !files.contains(prefix + name)) {
        LOG.info("Deleting {}: left by a run that died before its task committed it", name);
        fs.delete(status.getPath(), false);
      }
    }
  }
}
