package io.latentdecode.udf.latent;

import java.io.IOException;

/** Where readers put what they read: each latent, or the id that could not be one and why. */
public interface LatentSink {
  void accept(Latent latent) throws IOException;

  void reject(String id, LatentException reason) throws IOException;
}
