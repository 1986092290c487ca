package io.latentdecode.job.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentdecode.job.commit.ParallelReads;
import io.latentdecode.job.output.ImageFiles;
import io.latentdecode.job.output.ParquetSchemas;
import io.latentdecode.udf.contract.OutputFormat;
import io.latentdecode.udf.contract.OutputLayout;
import io.latentdecode.udf.output.HadoopChannels;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What an output folder holds, read from its small files only: the run reports ({@code _runs/}),
 * the task manifests ({@code _manifests/}: what is committed), and one image file's schema.
 *
 * @param output the folder
 * @param runs every run report, oldest first
 * @param committedRuns runs with committed tasks
 * @param committedTasks task manifests
 * @param committedImages images the manifests name
 * @param committedErrors quarantined rows the manifests name
 * @param imageFiles image files the manifests name
 * @param imageBytes their size
 * @param schema the schema of the first image file, or null when there is none
 * @param errorsByKind quarantined rows by kind, over the run reports
 */
public record OutputSummary(
    Path output,
    List<JsonNode> runs,
    int committedRuns,
    int committedTasks,
    long committedImages,
    long committedErrors,
    List<Path> imageFiles,
    long imageBytes,
    Schema schema,
    Map<String, Long> errorsByKind) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public static OutputSummary read(FileSystem fs, Path output) throws IOException {
    if (!fs.exists(output)) {
      throw new java.io.FileNotFoundException(output + " does not exist");
    }
    List<JsonNode> runs = new ArrayList<>();
    Path runsDir = OutputLayout.runsDir(output);
    if (fs.exists(runsDir)) {
      for (FileStatus f : fs.listStatus(runsDir)) {
        if (f.getPath().getName().endsWith(".json")) {
          runs.add(readJson(fs, f.getPath()));
        }
      }
    }
    runs.sort((a, b) -> a.path("started_at").asText().compareTo(b.path("started_at").asText()));
    int committedRuns = 0;
    int tasks = 0;
    long images = 0;
    long errors = 0;
    List<Path> files = new ArrayList<>();
    long bytes = 0;
    Path manifests = OutputLayout.manifestsDir(output);
    List<Path> parts = new ArrayList<>();
    if (fs.exists(manifests)) {
      for (FileStatus run : fs.listStatus(manifests)) {
        if (!run.isDirectory()) {
          continue;
        }
        FileStatus[] runParts = fs.listStatus(run.getPath(), p -> p.getName().endsWith(".json"));
        if (runParts.length > 0) {
          committedRuns++;
        }
        for (FileStatus part : runParts) {
          parts.add(part.getPath());
        }
      }
    }
    // many small reads, on a pool (an output of 100 000 tasks has as many manifests), each kept
    // as the few figures inspect needs
    for (Committed m : ParallelReads.map(parts, p -> Committed.of(fs, output, readJson(fs, p)))) {
      tasks++;
      images += m.images();
      errors += m.errors();
      bytes += m.bytes();
      m.imageFiles().forEach(name -> files.add(new Path(output, name)));
    }
    files.sort(null);
    Map<String, Long> byKind = new TreeMap<>();
    for (JsonNode run : runs) {
      run.path("counts")
          .path("errors_by_kind")
          .properties()
          .forEach(e -> byKind.merge(e.getKey(), e.getValue().asLong(), Long::sum));
    }
    Schema schema = files.isEmpty() ? null : schemaOf(fs, files.get(0));
    return new OutputSummary(
        output, runs, committedRuns, tasks, images, errors, files, bytes, schema, byKind);
  }

  /** What one task manifest says was committed. */
  private record Committed(long images, long errors, long bytes, List<String> imageFiles) {
    static Committed of(FileSystem fs, Path output, JsonNode m) throws IOException {
      List<String> names = new ArrayList<>();
      m.path("image_files").forEach(name -> names.add(name.asText()));
      long bytes = m.path("image_bytes").asLong();
      if (!m.has("image_bytes")) { // manifests from before image_bytes
        for (String name : names) {
          bytes += fs.getFileStatus(new Path(output, name)).getLen();
        }
      }
      return new Committed(m.path("images").asLong(), m.path("errors").asLong(), bytes, names);
    }
  }

  /** The first {@code n} image ids, in file order. */
  public List<String> firstIds(FileSystem fs, int n) throws IOException {
    List<String> ids = new ArrayList<>();
    try {
      ImageFiles.forEach(
          fs,
          output,
          imageFiles,
          image -> {
            ids.add(image.id());
            if (ids.size() >= n) {
              throw new Enough();
            }
          });
    } catch (Enough enough) {
      // read no further
    }
    return ids;
  }

  /** Stops a visit early. */
  static final class Enough extends IOException {
    private static final long serialVersionUID = 1L;
  }

  /**
   * The schema of an Arrow file, of a Parquet file (its Spark schema as Arrow, with the footer's
   * metadata), or null for formats without one (WebDataset shards, image files).
   */
  private static Schema schemaOf(FileSystem fs, Path file) throws IOException {
    OutputFormat format = OutputFormat.ofFileName(file.getName());
    if (format == OutputFormat.PARQUET) {
      return ParquetSchemas.arrowSchemaOf(fs, file);
    }
    if (format != OutputFormat.ARROW) {
      return null;
    }
    try (BufferAllocator allocator = new RootAllocator();
        ArrowFileReader reader =
            new ArrowFileReader(HadoopChannels.openForRead(fs, file), allocator)) {
      return reader.getVectorSchemaRoot().getSchema();
    }
  }

  private static JsonNode readJson(FileSystem fs, Path file) throws IOException {
    try (InputStream in = fs.open(file)) {
      return JSON.readTree(in);
    }
  }
}
