package io.latentdecode.udf.contract;

import static java.util.Objects.requireNonNull;

import io.latentdecode.udf.graph.DirectDecoder;
import java.io.Serializable;

/**
 * A decoder file identified by its content: the same digest is the same model, wherever it was read
 * from. Executors cache loaded models by {@link #cacheKey}.
 *
 * @param uri the qualified Hadoop URI of the TorchScript file, or of the safetensors weights
 * @param sha256 hex SHA-256 of the file's bytes
 * @param sizeBytes the file's length
 * @param direct for safetensors weights, the decode graph and precision they run in; null for a
 *     TorchScript file
 */
public record ModelRef(String uri, String sha256, long sizeBytes, DirectDecoder direct)
    implements Serializable {
  public ModelRef(String uri, String sha256, long sizeBytes) {
    this(uri, sha256, sizeBytes, null);
  }

  public ModelRef {
    requireNonNull(uri, "uri is null");
    requireNonNull(sha256, "sha256 is null");
    if (!sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(
          "Invalid model digest '" + sha256 + "': expected 64 hex digits");
    }
  }

  public boolean isDirect() {
    return direct != null;
  }

  /** The same weights run through the same graph in another precision. */
  public ModelRef withPrecision(Precision precision) {
    if (direct == null) {
      throw new IllegalStateException("a TorchScript file has the precision it was exported in");
    }
    return new ModelRef(uri, sha256, sizeBytes, direct.withPrecision(precision));
  }

  /** What tells two loaded decoders apart: the digest, and the graph and precision it runs in. */
  public String cacheKey() {
    return direct == null ? sha256 : sha256 + "/" + direct.key();
  }

  /** The file name part of the URI. */
  public String fileName() {
    return uri.substring(uri.lastIndexOf('/') + 1);
  }
}
