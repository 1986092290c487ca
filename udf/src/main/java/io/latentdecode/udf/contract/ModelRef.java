package io.latentdecode.udf.contract;

import static java.util.Objects.requireNonNull;

import java.io.Serializable;

/**
 * A decoder file identified by its content: the same digest is the same model, wherever it was read
 * from. Executors cache loaded models by digest.
 *
 * @param uri the qualified Hadoop URI of the TorchScript file
 * @param sha256 hex SHA-256 of the file's bytes
 * @param sizeBytes the file's length
 */
public record ModelRef(String uri, String sha256, long sizeBytes) implements Serializable {
  public ModelRef {
    requireNonNull(uri, "uri is null");
    requireNonNull(sha256, "sha256 is null");
    if (!sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(
          "Invalid model digest '" + sha256 + "': expected 64 hex digits");
    }
  }

  /** The file name part of the URI. */
  public String fileName() {
    return uri.substring(uri.lastIndexOf('/') + 1);
  }
}
