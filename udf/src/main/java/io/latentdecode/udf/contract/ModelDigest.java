package io.latentdecode.udf.contract;

import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Identifies a model file by the SHA-256 of its bytes, read through any Hadoop file system. */
public final class ModelDigest {
  private ModelDigest() {}

  public static ModelRef of(FileSystem fs, Path model) throws IOException {
    FileStatus status = fs.getFileStatus(model);
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = new DigestInputStream(fs.open(model), sha256)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return new ModelRef(
        fs.makeQualified(model).toString(),
        HexFormat.of().formatHex(sha256.digest()),
        status.getLen());
  }
}
