package io.latentdecode.udf.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Identifies a model file by the SHA-256 of its bytes, read through any Hadoop file system. */
public final class ModelDigest {
  private static final int CHUNK = 1 << 20;

  private ModelDigest() {}

  public static ModelRef of(FileSystem fs, Path model) throws IOException {
    return of(fs, model, OutputStream.nullOutputStream());
  }

  /** The same, writing the bytes it reads to {@code copy} as well (one read serves both). */
  public static ModelRef of(FileSystem fs, Path model, OutputStream copy) throws IOException {
    FileStatus status = fs.getFileStatus(model);
    String sha256;
    try (Sha256 digest = Sha256.start();
        InputStream in = fs.open(model)) {
      byte[] chunk = new byte[CHUNK];
      for (int read; (read = in.readNBytes(chunk, 0, CHUNK)) > 0; ) {
        digest.update(chunk, 0, read);
        copy.write(chunk, 0, read);
      }
      sha256 = digest.hex();
    }
    return new ModelRef(fs.makeQualified(model).toString(), sha256, status.getLen());
  }
}
