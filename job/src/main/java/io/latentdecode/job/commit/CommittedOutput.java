package io.latentdecode.job.commit;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

import io.latentdecode.udf.contract.OutputLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
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
  private static final StructType MANIFEST =
      new StructType()
          .add("run_id", DataTypes.StringType)
          .add("image_files", DataTypes.createArrayType(DataTypes.StringType))
          .add("error_files", DataTypes.createArrayType(DataTypes.StringType))
          .add("source_kind", DataTypes.StringType)
          .add("sources", DataTypes.createArrayType(DataTypes.StringType))
          .add("sources_file", DataTypes.StringType)
          .add("source_count", DataTypes.LongType)
          .add("model_sha256", DataTypes.StringType)
          .add("settings", DataTypes.StringType);

  /** Settings that do not change pixels: a resumed run may change them. */
  private static final List<String> RUN_ONLY_SETTINGS =
      List.of("batch_size", "device", "max_image_pixels", "png_compression");

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private final Set<String> files;
  private final Set<String> runs;
  private final Set<String> decodes;
  private final Dataset<Row> sources;
  private final long sourceCount;

  private CommittedOutput(
      Set<String> files,
      Set<String> runs,
      Set<String> decodes,
      Dataset<Row> sources,
      long sourceCount) {
    this.files = files;
    this.runs = runs;
    this.decodes = decodes;
    this.sources = sources;
    this.sourceCount = sourceCount;
  }

  /** Reads the manifests; an output without any is empty. */
  public static CommittedOutput read(SparkSession spark, FileSystem fs, Path output)
      throws IOException {
    Path dir = OutputLayout.manifestsDir(output);
    if (!fs.exists(dir) || fs.listStatus(dir).length == 0) {
      return new CommittedOutput(Set.of(), Set.of(), Set.of(), null, 0);
    }
    Dataset<Row> manifests =
        spark
            .read()
            .schema(MANIFEST)
            .option("recursiveFileLookup", "true")
            .option("pathGlobFilter", "*.json")
            .option("multiLine", "true")
            .json(dir.toString()); // not cached: a session that runs again must see new manifests
    Set<String> files = new HashSet<>();
    Set<String> runs = new HashSet<>();
    Set<String> decodes = new HashSet<>();
    List<String> sourceFiles = new ArrayList<>();
    long count = 0;
    for (Row row :
        manifests
            .select(
                "run_id",
                "image_files",
                "error_files",
                "model_sha256",
                "settings",
                "sources_file",
                "source_count",
                "sources")
            .collectAsList()) {
      runs.add(row.getString(0));
      files.addAll(row.<String>getList(1));
      files.addAll(row.<String>getList(2));
      decodes.add(decodeKey(row.getString(3), row.getString(4)));
      if (!row.isNullAt(5)) {
        sourceFiles.add(new Path(new Path(dir, row.getString(0)), row.getString(5)).toString());
        count += row.getLong(6);
      } else if (!row.isNullAt(7)) {
        count += row.getList(7).size();
      }
    }
    // manifests written before the sources files hold their sources inline
    Dataset<Row> sources =
        manifests.filter(col("sources_file").isNull()).select(explode(col("sources")).as("source"));
    if (!sourceFiles.isEmpty()) {
      sources =
          sources.unionAll(
              spark.read().parquet(sourceFiles.toArray(String[]::new)).select(col("source")));
    }
    return new CommittedOutput(files, runs, decodes, sources, count);
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
    if (candidates.isEmpty() || sources == null) {
      return Set.of();
    }
    Set<String> found = new HashSet<>();
    for (Row r : sources.filter(col("source").isin(candidates.toArray())).collectAsList()) {
      found.add(r.getString(0));
    }
    return found;
  }

  /**
   * The input files earlier runs consumed, for a file input's resume: as many paths as the listing
   * they are taken from holds at most.
   */
  public Set<String> committedFiles() {
    Set<String> done = new HashSet<>();
    if (sources != null) {
      sources.toLocalIterator().forEachRemaining(r -> done.add(r.getString(0)));
    }
    return done;
  }

  /** The consumed inputs (one column, {@code source}): input file paths, or row ids. */
  public Dataset<Row> sources() {
    return sources;
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
      if (status.isFile()
          && name.startsWith("part-")
          && name.endsWith(OutputLayout.FILE_SUFFIX)
          && !files.contains(prefix + name)) {
        LOG.info("Deleting {}: left by a run that died before its task committed it", name);
        fs.delete(status.getPath(), false);
      }
    }
  }
}
