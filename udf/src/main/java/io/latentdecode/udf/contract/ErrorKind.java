package io.latentdecode.udf.contract;

import java.util.Locale;

/**
 * Why a row was quarantined instead of decoded. The kind is what the run report counts and what
 * {@code _errors/*.arrow} records in its {@code error_kind} column.
 */
public enum ErrorKind {
  /** The latent's bytes cannot be a tensor: truncated, wrong length, bad shape or header. */
  INVALID_LATENT,
  /** A dtype the job does not decode (only float32, float16, bfloat16). */
  UNSUPPORTED_DTYPE,
  /** The latent's channel count is not the one the preset's decoder takes. */
  WRONG_CHANNELS,
  /** A file that cannot hold latents safely or at all (e.g. pickle-based {@code .pt}). */
  UNSUPPORTED_FILE,
  /** The latent's image would exceed the per-image size limit ({@code --max-image-megapixels}). */
  TOO_LARGE,
  /** The id occurs more than once in the input (Parquet); none of its rows is decoded. */
  DUPLICATE_ID,
  /** NaN or Inf among the latent's values. */
  NON_FINITE_LATENT,
  /** The decoder refused the latent at forward time (e.g. a channel count it was not built for). */
  MODEL_REJECTED,
  /** The decoder's output held NaN or Inf (in half precision: also when decoded again in fp32). */
  NON_FINITE_OUTPUT,
  /** The decoder ran out of memory even for this latent alone, in the smallest tiles. */
  OUT_OF_MEMORY,
  /** The decoded pixels could not be encoded into the requested image format. */
  ENCODE_FAILED;

  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }
}
