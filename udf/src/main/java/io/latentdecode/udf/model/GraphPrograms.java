package io.latentdecode.udf.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The decode graph programs the jar carries ({@code io/latentdecode/udf/graphs/NAME.ts.pt}, made by
 * {@code udf/src/main/python/make_decode_graphs.py}), as local files libtorch can load: written
 * once per JVM under {@code <tmp>/latent-decode-graphs/<sha256>/}, atomically, so that concurrent
 * JVMs on one host never read half a file.
 */
public final class GraphPrograms {
  private static final String RESOURCES = "/io/latentdecode/udf/graphs/";
  private static final Map<String, Path> FILES = new ConcurrentHashMap<>();

  private GraphPrograms() {}

  public static Path file(String graph) {
    return FILES.computeIfAbsent(graph, GraphPrograms::extract);
  }

  private static Path extract(String graph) {
    String resource = RESOURCES + graph + ".ts.pt";
    try (InputStream in = GraphPrograms.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the jar lacks the decode graph " + resource);
      }
      byte[] bytes = in.readAllBytes();
      Path dir =
          Paths.get(
              System.getProperty("java.io.tmpdir"),
              "latent-decode-graphs",
              HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
      Path target = dir.resolve(graph + ".ts.pt");
      if (Files.isRegularFile(target) && Files.size(target) == bytes.length) {
        return target;
      }
      Files.createDirectories(dir);
      Path partial = Files.createTempFile(dir, graph, ".partial");
      Files.write(partial, bytes);
      Files.move(
          partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the decode graph " + graph + ": " + e, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
