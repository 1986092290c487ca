package io.latentdecode.job.inspect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentdecode.job.output.ImageFiles;
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
    // many small reads: in parallel, as an output of 100 000 tasks has as many manifests
    List<JsonNode> read;
    try {
      read = parts.parallelStream().map(p -> readJsonUnchecked(fs, p)).toList();
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
    for (JsonNode m : read) {
      tasks++;
      images += m.path("images").asLong();
      errors += m.path("errors").asLong();
      for (JsonNode name : m.path("image_files")) {
        files.add(new Path(output, name.asText()));
      }
      if (m.has("image_bytes")) {
        bytes += m.path("image_bytes").asLong();
      } else { // manifests from before image_bytes
        for (JsonNode name : m.path("image_files")) {
          bytes += fs.getFileStatus(new Path(output, name.asText())).getLen();
        }
      }
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

  private static JsonNode readJsonUnchecked(FileSystem fs, Path file) {
    try {
      return readJson(fs, file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** The first {@code n} image ids, in file order. */
  public List<String> firstIds(FileSystem fs, int n) throws IOException {
    List<String> ids = new ArrayList<>();
    try {
      ImageFiles.forEach(
          fs,
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

  private static Schema schemaOf(FileSystem fs, Path file) throws IOException {
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
