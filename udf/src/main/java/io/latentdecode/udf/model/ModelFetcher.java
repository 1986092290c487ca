package io.latentdecode.udf.model;

import io.latentdecode.udf.contract.ModelRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * Brings a model file to local disk, where libtorch can read it: local files are used in place; any
 * other Hadoop URI is copied once per JVM into {@code <tmp>/latent-decode-models/<sha256>/}, under
 * a temporary name first and moved into place atomically, so concurrent tasks never read half a
 * file.
 */
public final class ModelFetcher {
  private ModelFetcher() {}

  public static Path localCopy(ModelRef model, Configuration conf) throws IOException {
    org.apache.hadoop.fs.Path source = new org.apache.hadoop.fs.Path(model.uri());
    if ("file".equals(source.toUri().getScheme())) {
      return Paths.get(source.toUri());
    }
    Path dir =
        Paths.get(System.getProperty("java.io.tmpdir"), "latent-decode-models", model.sha256());
    Path target = dir.resolve(model.fileName());
    if (Files.isRegularFile(target) && Files.size(target) == model.sizeBytes()) {
      return target;
    }
    Files.createDirectories(dir);
    Path partial = Files.createTempFile(dir, "fetch-", ".partial");
    FileSystem fs = source.getFileSystem(conf);
    try (InputStream in = fs.open(source)) {
      Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
      Files.move(
          partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      Files.deleteIfExists(partial);
      throw new IOException(
          "Cannot fetch model " + model.uri() + " to " + target + ": " + e.getMessage(), e);
    }
    return target;
  }
}
