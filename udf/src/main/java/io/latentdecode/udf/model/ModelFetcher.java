package io.latentdecode.udf.model;

import io.latentdecode.udf.contract.ModelDigest;
import io.latentdecode.udf.contract.ModelRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
    if (isLocal(source)) {
      return Paths.get(source.toUri());
    }
    Path target = cached(model);
    if (Files.isRegularFile(target) && Files.size(target) == model.sizeBytes()) {
      return target;
    }
    Files.createDirectories(target.getParent());
    Path partial = Files.createTempFile(target.getParent(), "fetch-", ".partial");
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

  /**
   * The model file's reference, its bytes read once: a local file is only hashed; any other is
   * hashed while it is copied to where {@link #localCopy} finds it. The driver, which loads the
   * model it checks, so reads a model in object storage once rather than once for its digest and
   * again to load it.
   */
  public static ModelRef digest(FileSystem fs, org.apache.hadoop.fs.Path model) throws IOException {
    if (isLocal(fs.makeQualified(model))) {
      return ModelDigest.of(fs, model);
    }
    Files.createDirectories(cacheRoot());
    Path partial = Files.createTempFile(cacheRoot(), "fetch-", ".partial");
    try {
      ModelRef ref;
      try (OutputStream copy = Files.newOutputStream(partial)) {
        ref = ModelDigest.of(fs, model, copy);
      }
      Path target = cached(ref);
      Files.createDirectories(target.getParent());
      Files.move(
          partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return ref;
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  private static boolean isLocal(org.apache.hadoop.fs.Path path) {
    return "file".equals(path.toUri().getScheme());
  }

  /** Where a model from another file system is kept on this machine's disk. */
  private static Path cached(ModelRef model) {
    return cacheRoot().resolve(model.sha256()).resolve(model.fileName());
  }

  private static Path cacheRoot() {
    return Paths.get(System.getProperty("java.io.tmpdir"), "latent-decode-models");
  }
}
