package io.latentdecode.job.testing;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads a run's output with nothing but a plain Arrow {@link ArrowFileReader} over local files, as
 * any client would: images are {@code *.arrow} outside {@code _}/{@code .} folders, errors are in
 * {@code _errors/}. Rows come back as column name to Java value.
 */
public final class ArrowOutput {
  private ArrowOutput() {}

  public record Table(List<Map<String, Object>> rows, List<Schema> schemas) {
    public List<Object> column(String name) {
      return rows.stream().map(r -> r.get(name)).toList();
    }
  }

  public static Table images(Path output) throws IOException {
    try (Stream<Path> walk = Files.walk(output)) {
      return read(
          walk.filter(p -> p.toString().endsWith(".arrow"))
              .filter(p -> !isUnderHidden(output, p))
              .sorted()
              .toList());
    }
  }

  /**
   * The images of the files the task manifests under {@code _manifests/} name, as a reader that
   * follows the manifests sees them.
   */
  public static Table committedImages(Path output) throws IOException {
    List<Path> files = new java.util.ArrayList<>();
    Path manifests = output.resolve("_manifests");
    if (Files.isDirectory(manifests)) {
      com.fasterxml.jackson.databind.ObjectMapper json =
          new com.fasterxml.jackson.databind.ObjectMapper();
      try (Stream<Path> walk = Files.walk(manifests)) {
        for (Path m : walk.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
          json.readTree(m.toFile())
              .path("image_files")
              .forEach(f -> files.add(output.resolve(f.asText())));
        }
      }
    }
    return read(files);
  }

  /** Each image's bytes by its id. */
  public static Map<Object, byte[]> imagesById(Path output) throws IOException {
    Map<Object, byte[]> byId = new java.util.HashMap<>();
    images(output).rows().forEach(r -> byId.put(r.get("id"), (byte[]) r.get("image")));
    return byId;
  }

  public static Table errors(Path output) throws IOException {
    return errorsIn(output.resolve("_errors"));
  }

  /** The rows of the error files in one folder. */
  public static Table errorsIn(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return new Table(List.of(), List.of());
    }
    try (Stream<Path> files = Files.list(dir)) {
      return read(files.filter(p -> p.toString().endsWith(".arrow")).sorted().toList());
    }
  }

  private static boolean isUnderHidden(Path root, Path file) {
    for (Path part : root.relativize(file)) {
      if (part.toString().startsWith("_") || part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static Table read(List<Path> files) throws IOException {
    List<java.nio.channels.SeekableByteChannel> channels = new ArrayList<>();
    for (Path file : files) {
      channels.add(FileChannel.open(file, StandardOpenOption.READ));
    }
    return readChannels(channels);
  }

  /** Arrow IPC files given as their bytes (e.g. fetched from an object store). */
  public static Table readBytes(List<byte[]> files) throws IOException {
    List<java.nio.channels.SeekableByteChannel> channels = new ArrayList<>();
    for (byte[] file : files) {
      channels.add(new org.apache.arrow.vector.util.ByteArrayReadableSeekableByteChannel(file));
    }
    return readChannels(channels);
  }

  private static Table readChannels(List<java.nio.channels.SeekableByteChannel> files)
      throws IOException {
    List<Map<String, Object>> rows = new ArrayList<>();
    List<Schema> schemas = new ArrayList<>();
    try (RootAllocator allocator = new RootAllocator()) {
      for (java.nio.channels.SeekableByteChannel channel : files) {
        try (channel;
            ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
          VectorSchemaRoot root = reader.getVectorSchemaRoot();
          schemas.add(root.getSchema());
          while (reader.loadNextBatch()) {
            for (int i = 0; i < root.getRowCount(); i++) {
              Map<String, Object> row = new LinkedHashMap<>();
              for (FieldVector v : root.getFieldVectors()) {
                Object value = v.getObject(i);
                row.put(
                    v.getName(),
                    value instanceof org.apache.arrow.vector.util.Text t ? t.toString() : value);
              }
              rows.add(row);
            }
          }
        }
      }
    }
    return new Table(rows, schemas);
  }
}
