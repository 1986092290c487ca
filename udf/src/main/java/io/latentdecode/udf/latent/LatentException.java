package io.latentdecode.udf.latent;

import static java.util.Objects.requireNonNull;

import io.latentdecode.udf.contract.ErrorKind;

/**
 * A row that cannot be decoded; the row is quarantined with this kind and message, the task goes
 * on.
 */
public final class LatentException extends Exception {
  private static final long serialVersionUID = 1L;

  private final ErrorKind kind;

  public LatentException(ErrorKind kind, String message) {
    super(message);
    this.kind = requireNonNull(kind, "kind is null");
  }

  public ErrorKind kind() {
    return kind;
  }
}
