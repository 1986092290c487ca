package io.latentdecode.udf.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;

/**
 * The project's shared test material ({@code ../shared} next to the checkout: the TAEF2 decoder and
 * its reference decodes). A user's clone may not have it: then tests that need it are skipped with
 * a message, except under {@code CI=true}, where its absence is a failure.
 */
public final class SharedData {
  private SharedData() {}

  public static Path root() {
    String configured = System.getProperty("latentdecode.shared");
    return (configured != null ? Paths.get(configured) : Paths.get("..", "..", "shared"))
        .toAbsolutePath()
        .normalize();
  }

  /** The path under {@code ../shared}, or skip (fail under CI) when it is missing. */
  public static Path require(String relative) {
    Path path = root().resolve(relative);
    if (!Files.exists(path)) {
      String message =
          "This test needs ../shared/"
              + relative
              + " (the project's shared test data, at "
              + path
              + "), which is missing";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(message + "; under CI=true that is a failure");
      }
      Assumptions.abort(message + "; skipped outside CI");
    }
    return path;
  }

  public static Path taef2Decoder() {
    return require("models/taef2/decoder.ts.pt");
  }

  /** The TAEF2 decoder's weights in madebyollin's safetensors layout. */
  public static Path taef2Weights() {
    return require("models/taef2/decoder.safetensors");
  }

  /** An AutoencoderKL test model folder (diffusers layout): sd-tiny, flux-tiny, sd-size-decoder. */
  public static Path autoencoderKl(String name) {
    return require("models/autoencoder-kl/" + name);
  }

  /** diffusers' reference decodes of an AutoencoderKL test model. */
  public static Path autoencoderKlReference(String name) {
    return require("reference/autoencoder-kl/" + name);
  }

  public static Path taef2Reference() {
    return require("reference/taef2");
  }
}
