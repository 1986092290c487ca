package io.latentdecode.udf.latent;

import java.io.IOException;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * Where readers put what they read: each latent, or the id that could not be one, the row's
 * carried-through columns (as {@link Latent#carried()}) and why.
 */
public interface LatentSink {
  void accept(Latent latent) throws IOException;

  void reject(String id, InternalRow carried, LatentException reason) throws IOException;
}
